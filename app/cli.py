"""Bulk work from the shell: `flask --app app articles import FILE.json`, etc."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from .demo import DEMO_ACCOUNTS, seed
from .extensions import db
from .media.lifecycle import attach_video, request_cover_variants
from .media.storage_keys import sync_article_media
from .models import Article, Role, Unit, User
from .services.backup import ToolFailed, backup, restore
from .services.documents import seed_demo_documents
from .services.errors import ServiceError
from .services.importer import import_articles
from .services.infra import init_storage, object_store
from .services.schedules import seed_demo_schedules


def register_cli(app: Flask) -> None:
    app.cli.add_command(articles_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(storage_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_cmd)
    app.cli.add_command(restore_cmd)


@click.command("backup")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def backup_cmd(target: Path) -> None:
    """Write a consistent snapshot of the database and a manifest of the media to TARGET."""

    try:
        manifest = backup(target)
    except (ServiceError, ToolFailed) as exc:
        raise click.ClickException(str(exc)) from None
    counts = manifest["counts"]
    click.echo(f"Đã sao lưu vào {target}: {counts['articles']} bài, {counts['revisions']} "
               f"phiên bản, {len(manifest['media'])} tệp media trong danh mục.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite a database that has articles")
def restore_cmd(source: Path, force: bool) -> None:
    """Restore the snapshot in SOURCE into the configured database and check the media."""

    try:
        report = restore(source, force=force)
    except (ServiceError, ToolFailed) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã khôi phục: {report.articles} bài, {report.revisions} phiên bản; "
               f"{report.storage_keys - len(report.missing)}/{report.storage_keys} tệp media có "
               "trong kho.")
    if report.missing:
        for key in report.missing[:20]:
            click.echo(f"  thiếu: {key}", err=True)
        raise SystemExit(1)


@click.group("articles", help="Import and manage articles.")
def articles_cli() -> None:
    pass


@articles_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(file: Path) -> None:
    """Create or update (by slug) and publish the articles in FILE; prints their ids."""

    try:
        payload = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"Tệp JSON không hợp lệ: {exc}") from None
    try:
        articles = import_articles(payload)
    except ServiceError as exc:  # (that article saved nothing; those before it are saved)
        raise click.ClickException(f"Bài viết không hợp lệ: {exc.detail}") from None
    for article in articles:
        click.echo(f"{article.id}\t{article.slug}")


@click.group("media", help="Media jobs.")
def media_cli() -> None:
    pass


@media_cli.command("attach-video")
@click.argument("article_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def attach_video_cmd(article_id: int, file: Path) -> None:
    """Store FILE as ARTICLE_ID's video and queue its transcoding."""

    article = db.session.get(Article, article_id)
    if article is None:
        raise click.ClickException(f"Không có bài viết số {article_id}.")
    content_type = mimetypes.guess_type(file.name)[0]
    with file.open("rb") as fh:
        asset = attach_video(article, fh, file.name, content_type)
    click.echo(f"video asset {asset.id}: {asset.status.value} (job {asset.job_id})")


@media_cli.command("cover-variants")
@click.option("--all", "redo_all", is_flag=True, help="also covers that already have them")
def cover_variants_cmd(redo_all: bool) -> None:
    """Queue the responsive widths of covers that lack them (e.g. stored before the worker
    made them); prints how many were queued."""

    query = select(Article).where(Article.cover_key.is_not(None)).order_by(Article.id)
    queued = 0
    for article in db.session.scalars(query):
        if (redo_all or not article.cover_variants) and request_cover_variants(article):
            queued += 1
    click.echo(f"{queued} ảnh bìa đã được đưa vào hàng đợi tạo kích cỡ.")


@media_cli.command("sync-visibility")
def sync_visibility_cmd() -> None:
    """Put every article's files where its status says: public once published, private under
    private/ otherwise (files stored before that rule, or a move that failed); prints how many
    moved."""

    moved = sum(sync_article_media(article)
                for article in db.session.scalars(select(Article).order_by(Article.id)))
    click.echo(f"{moved} tệp đã được chuyển cho đúng trạng thái công bố.")


@click.group("storage", help="Object storage.")
def storage_cli() -> None:
    pass


@storage_cli.command("init")
def storage_init_cmd() -> None:
    """Create the bucket and make the media prefixes publicly readable."""

    init_storage()
    click.echo(f"bucket {object_store().bucket} ready")


@click.group("users", help="Staff accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="editor")
@click.option("--unit", "unit_name", default=None, help="Unit name, for contributors.")
@click.option("--full-name", default="")
@click.password_option()
def create_user_cmd(username: str, role: str, unit_name: str | None, full_name: str,
                    password: str) -> None:
    """Create a staff account."""
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.ClickException(f"Tài khoản {username} đã tồn tại.")
    unit = db.session.scalar(select(Unit).where(Unit.name == unit_name)) if unit_name else None
    if unit_name and unit is None:
        raise click.ClickException(f"Không có đơn vị {unit_name}.")
    user = User(username=username, role=Role(role), unit=unit, full_name=full_name)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {username} ({role})")


@click.group("demo", help="Demo content.")
def demo_cli() -> None:
    pass


@demo_cli.command("seed")
@click.option("--no-video", is_flag=True, help="Skip the generated demo video.")
def demo_seed_cmd(no_video: bool) -> None:
    """Seed demo users, sections and articles (safe to run again). Never in production."""


    if current_app.config["REFUSE_UNSAFE_SETTINGS"]:
        raise click.ClickException("Không tạo nội dung và tài khoản mẫu trên hệ thống "
                                   "production (APP_CONFIG=prod).")

    articles = seed(with_video=not no_video)
    for article in articles:
        click.echo(f"{article.id}\t{article.slug}")

    click.echo(f"documents: {len(seed_demo_documents())}")
    click.echo(f"schedule entries: {len(seed_demo_schedules())}")
    for account in DEMO_ACCOUNTS:
        click.echo(f"login: {account.username} / {account.password} ({account.role.value})")
