"""No usable defaults in production: APP_CONFIG=prod refuses to start on a development secret,
the development S3 keys, a Redis without a password, plain-HTTP links or a demo account, naming
each; `flask check-deploy` prints them and exits non-zero; `make run` needs no settings and
makes its own secret key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from app import create_app, instance_secret_key
from app.deploy_check import UnsafeSettings
from app.extensions import db
from app.models import Role, User
from config import BASE_DIR, ProdConfig

pytestmark = pytest.mark.security
GOOD = {"SECRET_KEY": "f3" * 32, "S3_ACCESS_KEY": "cong-hoa-an", "S3_SECRET_KEY": "k" * 40,
        "REDIS_URL": "redis://:mat-khau-redis@127.0.0.1:6379/15",
        "SITE_URL": "https://cong.hoaan.gov.vn"}


def prod_config(app_config, **settings):
    """Production settings over the test's database, Redis and store."""
    return type("Production", (ProdConfig,), {
        "SQLALCHEMY_DATABASE_URI": app_config.SQLALCHEMY_DATABASE_URI,
        "S3_ENDPOINT_URL": app_config.S3_ENDPOINT_URL, "S3_BUCKET": app_config.S3_BUCKET,
        "SECRET_KEY": "", "S3_ACCESS_KEY": "docnghexem", "S3_SECRET_KEY": "docnghexem-secret",
        "REDIS_URL": "redis://127.0.0.1:6379/15", "SITE_URL": "", **settings})


def test_production_refuses_to_start_on_the_defaults_naming_each_setting(app, app_config,
                                                                           tally):
    with pytest.raises(UnsafeSettings) as refused:
        create_app(prod_config(app_config))
    named = {problem.setting for problem in refused.value.problems}
    assert named == {"SECRET_KEY", "S3_ACCESS_KEY", "S3_SECRET_KEY", "REDIS_URL", "SITE_URL"}
    for name in named:
        assert name in str(refused.value)
    with pytest.raises(UnsafeSettings) as refused:
        create_app(prod_config(app_config, **{**GOOD, "SECRET_KEY": "dev-only-secret-change-me",
                                              "SITE_URL": "http://cong.hoaan.gov.vn"}))
    assert {p.setting for p in refused.value.problems} == {"SECRET_KEY", "SITE_URL"}
    tally("deploy")(len(named) + 2)


def test_production_starts_on_good_settings_and_refuses_a_demo_account(app, app_config,
                                                                       tally):
    prod = create_app(prod_config(app_config, **GOOD))
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["HSTS_SECONDS"] > 0
    demo = User(username="bientap", full_name="Ban Biên tập", role=Role.editor)
    demo.set_password("bientap2026")  # the password `make run` prints
    db.session.add(demo)
    db.session.commit()
    with pytest.raises(UnsafeSettings) as refused:
        create_app(prod_config(app_config, **GOOD))
    assert [p.setting for p in refused.value.problems] == ["users/bientap"]
    demo.set_password("Mot-mat-khau-rieng-2026")  # its own password: no longer a demo account
    db.session.commit()
    create_app(prod_config(app_config, **GOOD))
    tally("deploy")(3)


def check_deploy(app_config, **env) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in GOOD and k != "APP_CONFIG"}
    clean.update({"APP_CONFIG": "prod", "DATABASE_URL": app_config.SQLALCHEMY_DATABASE_URI,
                  "S3_ENDPOINT_URL": app_config.S3_ENDPOINT_URL, **env})
    return subprocess.run([sys.executable, "-m", "flask", "check-deploy"], cwd=BASE_DIR,
                          env=clean, capture_output=True, text=True, timeout=120)


def test_flask_check_deploy_prints_every_unsafe_setting_and_fails(app, app_config, tally):
    unsafe = check_deploy(app_config)
    assert unsafe.returncode == 1, unsafe.stderr
    for name in ("SECRET_KEY", "S3_ACCESS_KEY", "S3_SECRET_KEY", "REDIS_URL", "SITE_URL"):
        assert f"✗ {name}:" in unsafe.stderr
    safe = check_deploy(app_config, **GOOD)
    assert safe.returncode == 0, safe.stderr
    assert "an toàn" in safe.stdout
    tally("deploy")(2)


def test_make_run_makes_its_own_secret_key_once(tmp_path, tally):
    first = instance_secret_key(tmp_path)
    assert len(first) == 64 and first == instance_secret_key(tmp_path)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    other = tmp_path / "other"
    other.mkdir()
    assert instance_secret_key(other) != first  # no two installations share one
    tally("deploy")(3)


def test_the_demo_content_is_never_seeded_in_production(app, app_config, runner, tally):
    prod = create_app(prod_config(app_config, **GOOD))
    with prod.app_context():
        result = prod.test_cli_runner().invoke(args=["demo", "seed", "--no-video"])
        db.session.remove()
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.query(User).count() == 0
    tally("deploy")(1)


def test_the_web_server_listens_on_localhost_unless_told_otherwise(tally):
    env = {k: v for k, v in os.environ.items() if k not in ("WEB_BIND", "PORT")}
    code = "from config import Config; print(Config.WEB_BIND)"
    default = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
    platform = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR,
                              env={**env, "PORT": "8080"}, capture_output=True, text=True,
                              check=True).stdout.strip()
    assert default == "127.0.0.1:5000" and platform == "0.0.0.0:8080"
    tally("deploy")(2)
