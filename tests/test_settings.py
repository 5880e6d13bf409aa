"""Production settings come from the environment and refuse to start without what they need."""

import os
import re
import subprocess
import sys

import pytest

from .conftest import ROOT

SECRET_KEY = "test-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with production settings and `env` on top."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base |= {
        "DJANGO_SETTINGS_MODULE": "catalogue.settings",
        "DJANGO_DEBUG": "0",
        "SITE_URL": "https://example.org",
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def import_settings(**env: str) -> subprocess.CompletedProcess:
    return run("-c", "import django; django.setup()", **env)


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("secret", [None, ""])
def test_production_without_secret_key_fails_naming_it(secret):
    env = {"DJANGO_ALLOWED_HOSTS": "example.org"}
    if secret is not None:
        env["DJANGO_SECRET_KEY"] = secret
    result = import_settings(**env)
    assert result.returncode != 0
    line = last_line(result.stderr)
    assert line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "DJANGO_SECRET_KEY" in line


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_without_allowed_hosts_fails_naming_them(hosts):
    env = {"DJANGO_SECRET_KEY": SECRET_KEY}
    if hosts is not None:
        env["DJANGO_ALLOWED_HOSTS"] = hosts
    result = import_settings(**env)
    assert result.returncode != 0
    line = last_line(result.stderr)
    assert line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "DJANGO_ALLOWED_HOSTS" in line


@pytest.mark.parametrize(
    "site_url", ["", "catalogue.example.org", "https://catalogue.example.org/cases/"]
)
def test_production_without_a_site_url_fails_naming_it(site_url):
    result = import_settings(
        DJANGO_SECRET_KEY=SECRET_KEY, DJANGO_ALLOWED_HOSTS="example.org", SITE_URL=site_url
    )
    assert result.returncode != 0
    line = last_line(result.stderr)
    assert line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "SITE_URL" in line


def test_site_url_is_kept_without_its_trailing_slash():
    result = run(
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="example.org",
        SITE_URL="https://catalogue.example.org/",
    )
    assert result.stdout.strip() == "https://catalogue.example.org", result.stderr


def test_production_with_secret_key_hosts_and_site_url_starts():
    result = run(
        "manage.py", "check", DJANGO_SECRET_KEY=SECRET_KEY, DJANGO_ALLOWED_HOSTS="example.org"
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_needs_neither_secret_key_nor_hosts():
    result = import_settings(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_production_deploy_check_warns_only_about_hsts_and_ssl_redirect():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\(security\.W\d+\)", result.stdout + result.stderr))
    assert warnings <= {"(security.W004)", "(security.W008)"}
