"""The Flask application: create_app() wires config, extensions, blueprints and the CLI."""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, INSTANCE_DIR, Config, config_from_env

from . import http_caching, http_errors, http_security, models  # noqa: F401 (models: tables)
from .api import bp as api_bp
from .cli import register_cli
from .deploy_check import UnsafeSettings, all_problems
from .editor import bp as editor_bp
from .extensions import babel, compress, csrf, db, login_manager, migrate
from .http_page_cache import ServeCachedPages
from .i18n import MEDIA_LABELS, format_number, select_locale
from .public import bp as public_bp
from .services import cache_hooks
from .services import site as site_identity_service
from .services.info_pages import published_pages
from .services.localtime import local
from .services.sections import menu_sections, per_request
from .urls import absolute_url


def instance_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """`make run`'s secret key: made at random on the first start, then kept (owner-only) in
    instance/secret_key, so sessions survive restarts and no two installations share one."""
    path = instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def create_app(config: type[Config] | None = None, *, refuse_unsafe: bool = True) -> Flask:
    """The portal. A production config (REFUSE_UNSAFE_SETTINGS) with unsafe settings raises
    app.deploy_check.UnsafeSettings naming each, unless `refuse_unsafe` is False (the
    check-deploy command, which prints them instead)."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or config_from_env())
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # keep Vietnamese readable
    INSTANCE_DIR.mkdir(exist_ok=True)
    if not app.config["SECRET_KEY"] and not app.config["REFUSE_UNSAFE_SETTINGS"]:
        app.config["SECRET_KEY"] = instance_secret_key()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "editor.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    # The flash goes into the session cookie: a plain string in the reader's language.
    login_manager.localize_callback = str
    csrf.init_app(app)
    http_security.install(app)  # its body limit runs before CSRFProtect reads a form
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(BASE_DIR / "app" / "translations"))

    app.register_blueprint(public_bp)
    app.register_blueprint(editor_bp, url_prefix="/bien-tap")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    register_cli(app)
    http_caching.install(app)  # after Compress: its after_request hook runs before Compress's
    app.wsgi_app = ServeCachedPages(app.wsgi_app, app)  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXIES"] > 0:  # outermost: every layer sees the reader's address
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    cache_hooks.install(db.session)
    _register_template_helpers(app)
    http_errors.install(app)
    if app.config["REFUSE_UNSAFE_SETTINGS"] and refuse_unsafe:
        problems = all_problems(app)
        if problems:
            raise UnsafeSettings(problems)
    return app


def _register_template_helpers(app: Flask) -> None:
    @app.template_filter("vn_date")
    def vn_date(value: datetime | None) -> str:
        return local(value).strftime("%d/%m/%Y") if value else ""

    @app.template_filter("vn_datetime")
    def vn_datetime(value: datetime | None) -> str:
        return local(value).strftime("%H:%M %d/%m/%Y") if value else ""

    @app.template_filter("local_date_iso")
    def local_date_iso(value: datetime | None) -> str:
        """The date in Vietnam, yyyy-mm-dd: for links to a day or a week."""
        return local(value).date().isoformat() if value else ""

    @app.template_filter("vn_number")
    def vn_number(value: float | None, places: int = 0) -> str:
        """Counts, durations and sizes on every page: "1.234", "0,40" in Vietnamese, "1,234"
        and "0.40" in English (app.i18n.format_number)."""
        return format_number(value, places)

    @app.template_filter("clock")
    def clock(seconds: float | None) -> str:
        if not seconds:
            return ""
        minutes, secs = divmod(int(round(seconds)), 60)
        return f"{minutes}:{secs:02d}"

    def nav_sections() -> list[object]:
        return list(menu_sections())

    def footer_pages() -> list[object]:
        return per_request("footer_pages", lambda: list(published_pages()))

    app.add_template_global(absolute_url)

    def site_identity() -> site_identity_service.SiteIdentity:
        """The identity as set; the defaults when the database cannot say (an error page about
        the database itself still renders)."""
        try:
            return site_identity_service.current()
        except SQLAlchemyError:
            db.session.rollback()
            return site_identity_service.defaults()

    @app.context_processor
    def site() -> dict[str, object]:
        identity = site_identity()
        return {"site": identity, "site_name": identity.name, "MEDIA_LABELS": MEDIA_LABELS,
                "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
                "nav_sections": nav_sections, "footer_pages": footer_pages}
