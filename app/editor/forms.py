from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

REQUIRED = "Trường này không được để trống."
VIDEO_TYPES = ["mp4", "mov", "m4v", "mkv", "webm", "avi", "mpg", "mpeg", "3gp", "ts"]


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED)])
    submit = SubmitField("Đăng nhập")


class ArticleForm(FlaskForm):
    title = StringField("Tiêu đề", validators=[
        DataRequired("Tiêu đề không được để trống."), Length(max=300)])
    lede = TextAreaField("Sapo (tóm tắt)", validators=[Length(max=2000)])
    body_html = TextAreaField("Nội dung (HTML)")
    category_id = SelectField("Chuyên mục", coerce=int)
    unit_id = SelectField("Đơn vị gửi bài", coerce=int)
    author_name = StringField("Tác giả", validators=[Length(max=120)])
    listen_source = SelectField("Bản nghe", choices=[
        ("narration", "Giọng đọc tự động đọc bài viết"),
        ("video", "Tiếng của video (tin video)")], default="narration")
    cover = FileField("Ảnh bìa", validators=[
        FileAllowed(["jpg", "jpeg", "png", "webp"], "Ảnh bìa phải là JPEG, PNG hoặc WebP.")])
    cover_caption = StringField("Chú thích ảnh", validators=[Length(max=500)])
    save = SubmitField("Lưu")
    publish = SubmitField("Xuất bản")


class VideoForm(FlaskForm):
    video = FileField("Tệp video", validators=[
        FileRequired("Vui lòng chọn tệp video."),
        FileAllowed(VIDEO_TYPES, "Định dạng video không được hỗ trợ.")])
    upload = SubmitField("Tải video lên")


class LexiconForm(FlaskForm):
    term = StringField("Từ hoặc cụm từ", validators=[DataRequired(REQUIRED), Length(max=100)])
    spoken = StringField("Cách đọc", validators=[DataRequired(REQUIRED), Length(max=200)])
    submit = SubmitField("Lưu")
