"""Production settings come from the environment and refuse to start without what they need."""

import os
import stat
import subprocess
import sys

import pytest
from dotenv import dotenv_values

from .conftest import ROOT

SECRET_KEY = "test-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with production settings and `env` on top."""
    return run_bare(*args, **{"DJANGO_DEBUG": "0", "SITE_URL": "https://example.org", **env})


def run_bare(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with no DJANGO_ variable and no .env file, but `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base |= {"DJANGO_SETTINGS_MODULE": "catalogue.settings", "CATALOGUE_ENV_FILE": os.devnull}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def import_settings(**env: str) -> subprocess.CompletedProcess:
    """Read the settings module (without the apps: a tenth of the CPU of django.setup())."""
    return run("-c", "from django.conf import settings; settings.SECRET_KEY", **env)


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
        "from django.conf import settings; print(settings.SITE_URL)",
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


def test_make_writes_an_env_file_once_and_commands_run_with_nothing_exported(tmp_path):
    make = ["make", "--no-print-directory", "-C", str(tmp_path), "-f", str(ROOT / "Makefile")]
    subprocess.run([*make, ".env"], check=True, capture_output=True, timeout=60)
    env_file = tmp_path / ".env"
    written = env_file.read_text()
    subprocess.run([*make, ".env"], check=True, capture_output=True, timeout=60)

    assert env_file.read_text() == written  # never overwritten: the key stays
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = dotenv_values(env_file)
    assert values["DJANGO_DEBUG"] == "1" and len(values["DJANGO_SECRET_KEY"]) >= 50
    result = run_bare("manage.py", "check", CATALOGUE_ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"DJANGO_DEBUG=1\nDJANGO_SECRET_KEY={SECRET_KEY}\nDJANGO_ALLOWED_HOSTS=\n")

    result = run("manage.py", "check", CATALOGUE_ENV_FILE=str(env_file))

    assert result.returncode == 1
    assert result.stderr == "error: DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off\n"


@pytest.mark.parametrize(
    ("env", "missing"),
    [({}, "DJANGO_SECRET_KEY"), ({"DJANGO_SECRET_KEY": SECRET_KEY}, "DJANGO_ALLOWED_HOSTS")],
)
@pytest.mark.parametrize(
    ("command", "status"), [(["manage.py", "check"], 1), (["-c", "import catalogue.wsgi"], 3)]
)
def test_missing_production_setting_is_one_line_on_stderr(env, missing, command, status):
    result = run_bare(*command, **env)

    assert result.returncode == status
    assert result.stderr == f"error: {missing} must be set when DJANGO_DEBUG is off\n"
