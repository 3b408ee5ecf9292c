"""`flask check-deploy`: a `flask.commands` entry point (pyproject.toml), so it runs even
when the app refuses to start on unsafe settings."""

from __future__ import annotations

import click

from config import ProdConfig, config_from_env

from . import create_app
from .deploy_check import all_problems


@click.command("check-deploy")
def check_deploy_command() -> None:
    """Print every unsafe production setting; exit 1 if there is any (safe to run anywhere).

    Reads the settings from the environment as APP_CONFIG=prod would, whatever APP_CONFIG says.
    """
    chosen = config_from_env()
    config = chosen if chosen.REFUSE_UNSAFE_SETTINGS else ProdConfig
    problems = all_problems(create_app(config, refuse_unsafe=False))
    if not problems:
        click.echo("Cấu hình production an toàn: không có thiết lập nào cần sửa.")
        return
    click.echo(f"{len(problems)} thiết lập chưa an toàn cho production:", err=True)
    for problem in problems:
        click.echo(f"  ✗ {problem}", err=True)
    raise SystemExit(1)
