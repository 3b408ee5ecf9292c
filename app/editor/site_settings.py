"""Editor page: the portal's identity (name, governing body, licence, emblem, banner label),
run by admins only. The work is app.services.site's."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..http_security import body_limit
from ..services import site
from ..services.errors import BadInput
from . import bp
from .access import admin_required


def _email(form: FlaskForm, field: StringField) -> None:
    message = site.check_email((field.data or "").strip())
    if message:
        raise ValidationError(message)


def _too_long(n: int):
    return Length(max=n, message=_l("Dài quá %(n)d ký tự.", n=n))


class SiteSettingsForm(FlaskForm):
    name = StringField(_l("Tên cổng thông tin"), validators=[
        DataRequired(_l("Tên cổng không được để trống.")), _too_long(200)])
    governing_body = StringField(_l("Cơ quan chủ quản"), validators=[_too_long(200)])
    responsible = StringField(_l("Người chịu trách nhiệm chính"), validators=[_too_long(200)])
    licence_number = StringField(_l("Giấy phép số"), validators=[_too_long(80)])
    licence_date = DateField(_l("Ngày cấp giấy phép"), validators=[Optional()],
                             render_kw={"type": "date"})
    address = TextAreaField(_l("Địa chỉ"), validators=[_too_long(300)])
    phone = StringField(_l("Điện thoại"), validators=[_too_long(60)])
    email = StringField(_l("Thư điện tử"), validators=[_too_long(200), _email])
    emblem = FileField(_l("Biểu trưng (PNG, JPEG hoặc WebP; nền trong suốt nếu có)"))
    banner_label = SelectField(_l("Nhãn của ô quảng cáo trên trang chủ"),
                               choices=list(site.BANNER_LABELS.items()))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.licence_date.errors:  # WTForms' own words for a date it cannot read are English
            self.licence_date.errors = [_("Ngày cấp giấy phép không hợp lệ (cần ngày/tháng/năm).")]
        return valid

    def values(self) -> dict[str, str]:
        return {"name": " ".join(self.name.data.split()),
                "governing_body": " ".join((self.governing_body.data or "").split()),
                "responsible": " ".join((self.responsible.data or "").split()),
                "licence_number": (self.licence_number.data or "").strip(),
                "licence_date": self.licence_date.data.isoformat()
                if self.licence_date.data else "",
                "address": " ".join((self.address.data or "").split()),
                "phone": (self.phone.data or "").strip(),
                "email": (self.email.data or "").strip(),
                "banner_label": self.banner_label.data}


@bp.route("/thiet-lap", methods=["GET", "POST"])
@body_limit("SITE_EMBLEM_MAX_BYTES")
@admin_required
def site_settings():
    """The portal's identity: what the masthead, the footer, feeds and JSON-LD show."""
    identity = site.current()
    form = SiteSettingsForm(data={**{name: getattr(identity, name) for name in site.FIELD_NAMES},
                                  "licence_date": identity.licence_day})
    status = 200
    if form.is_submitted():  # CSRFProtect has checked the token already
        valid = form.validate()
        emblem = None
        upload = form.emblem.data
        if upload is not None and getattr(upload, "filename", ""):
            try:
                emblem = site.read_emblem(upload.stream)
            except BadInput as exc:
                form.emblem.errors = [*form.emblem.errors, exc.errors["emblem"]]
                valid = False
        if valid:
            changed = site.save(form.values(), emblem)
            flash(_("Đã lưu thông tin cổng.") if changed else _("Không có gì thay đổi."),
                  "success")
            return redirect(url_for("editor.site_settings"), 303)
        flash(_("Chưa lưu được, vui lòng sửa các ô được đánh dấu."), "error")
        status = 422
    return render_template("editor/site_settings.html", form=form, identity=identity,
                           emblem_max_mb=site.emblem_max_mb()), status
