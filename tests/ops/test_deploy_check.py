"""Production settings (issue 2 point 2): with production values `check --deploy --fail-level WARNING`
passes, and with DEBUG off but no SECRET_KEY the process refuses to start with a clear message."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALLOWED_HOSTS="portal.example",
        CSRF_TRUSTED_ORIGINS="https://portal.example",
        DJANGO_SETTINGS_MODULE="tiexi_gov.settings",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_deploy_check_passes_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_when_debug_is_left_on():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG must not be True in deployment


def test_startup_without_secret_key_fails_clearly_when_debug_is_off():
    env = production_env()
    env.pop("SECRET_KEY")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_collectstatic_with_the_production_manifest_storage_succeeds(tmp_path):
    """Production serves hashed static files (WhiteNoise's manifest storage), which fails on any referenced file
    that is missing — e.g. the source maps the vendored Bootstrap points to. README's setup runs this command."""
    result = run_manage("collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(tmp_path / "static")))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest and "vendor/htmx/htmx.min.js" in manifest
