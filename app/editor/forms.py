"""The newsroom's forms (Flask-WTF): login, article, video, sections, pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from ..media import uploads

REQUIRED = _l("Trường này không được để trống.")




class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("Đăng nhập"))


class ArticleForm(FlaskForm):
    title = StringField(_l("Tiêu đề"), validators=[
        DataRequired(_l("Tiêu đề không được để trống.")), Length(max=300)])
    lede = TextAreaField(_l("Sapo (tóm tắt)"), validators=[Length(max=2000)])
    body_html = TextAreaField(_l("Nội dung (HTML)"))
    category_id = SelectField(_l("Chuyên mục"), coerce=int)
    unit_id = SelectField(_l("Đơn vị gửi bài"), coerce=int)
    author_name = StringField(_l("Tác giả"), validators=[Length(max=120)])
    listen_source = SelectField(_l("Bản nghe"), choices=[
        ("narration", _l("Giọng đọc tự động đọc bài viết")),
        ("video", _l("Tiếng của video (tin video)"))], default="narration")
    cover = FileField(_l("Ảnh bìa"), validators=[
        FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Ảnh bìa phải là JPEG, PNG hoặc WebP."))])
    cover_caption = StringField(_l("Chú thích ảnh"), validators=[Length(max=500)])
    # The version the form was opened at: saving over a newer one is a conflict.
    version = HiddenField()
    # Workflow buttons (app.services.workflow); which ones show depends on role and status.
    save = SubmitField(_l("Lưu nháp"))
    send_for_review = SubmitField(_l("Gửi duyệt"))
    publish = SubmitField(_l("Xuất bản"))
    schedule = SubmitField(_l("Hẹn giờ xuất bản"))
    publish_at = StringField(_l("Thời điểm xuất bản"))  # datetime-local, DISPLAY_TIMEZONE
    return_to_unit = SubmitField(_l("Trả lại"))
    return_note = TextAreaField(_l("Nhận xét gửi đơn vị (bắt buộc khi trả lại)"),
                                validators=[Length(max=2000)])


class VideoForm(FlaskForm):
    video = FileField(_l("Tệp video"), validators=[
        FileRequired(_l("Vui lòng chọn tệp video.")),
        FileAllowed(uploads.VIDEO_TYPES, uploads.BAD_TYPE)])
    upload = SubmitField(_l("Tải video lên"))


class LexiconForm(FlaskForm):
    term = StringField(_l("Từ hoặc cụm từ"), validators=[DataRequired(REQUIRED), Length(max=100)])
    spoken = StringField(_l("Cách đọc"), validators=[DataRequired(REQUIRED), Length(max=200)])
    submit = SubmitField(_l("Lưu"))
