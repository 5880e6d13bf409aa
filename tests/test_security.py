"""Production settings, response headers, private e-mails, admin access and edit conflicts."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from cases.models import Case, CatalogueState
from tests.conftest import ROOT
from tests.factories import make_case, make_contact, make_organization

PLANTED_EMAIL = "planted.secret@example.org"
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789",
    "DJANGO_ALLOWED_HOSTS": "catalogue.example.org",
    "SITE_URL": "https://catalogue.example.org",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_warns_only_about_what_a_tls_proxy_sets():
    done = run_manage("check", "--deploy", env=PRODUCTION_ENV)

    # Only what depends on a TLS proxy remains: HSTS (W004) and the SSL redirect (W008).
    assert done.returncode == 0, done.stderr
    assert re.findall(r"\((\w+\.[A-Z]\d+)\)", done.stdout + done.stderr) == [
        "security.W004",
        "security.W008",
    ]
    assert done.stderr.rstrip().endswith("System check identified 2 issues (0 silenced).")


def test_check_deploy_is_clean_behind_a_tls_proxy():
    env = {**PRODUCTION_ENV, "DJANGO_SECURE_SSL_REDIRECT": "1"}
    done = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


@pytest.fixture
def public_catalogue(db):
    """A catalogue whose one contact has a private e-mail, plus a draft case."""
    org = make_organization("Cooperativa Planted", country="ES")
    contact = make_contact(org, "Rosa Planted", role="President", email=PLANTED_EMAIL)
    case = make_case(
        "A planted case about waste pickers",
        themes=["women"],
        region="europe",
        country="ES",
        organizations=[(org, contact)],
    )
    draft = make_case("A draft nobody may see", themes=["women"], status=Case.Status.DRAFT)
    return case, draft, org


def public_urls(case, org) -> list[str]:
    return [
        "/",
        "/cases/",
        "/cases/?q=planted",
        "/cases/?q=rosa",
        "/cases/?theme=women",
        case.get_absolute_url(),
        reverse("case-detail-json", args=[case.slug]),
        "/cases.json",
        "/cases.json?q=rosa",
        "/cases.csv",
        "/organizations/",
        org.get_absolute_url(),
        "/themes/",
        "/themes/women/",
        "/regions/europe/",
        "/cases/?page=999",
        "/cases/?theme=nope",
        "/nowhere/",
    ]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_no_public_response_carries_a_contact_email(client, public_catalogue):
    case, _, org = public_catalogue
    for url in public_urls(case, org):
        response = client.get(url)
        assert response.status_code in {200, 400, 404}, url
        assert PLANTED_EMAIL not in body(response), url


def test_search_does_not_match_private_emails(client, public_catalogue):
    response = client.get("/cases.json", {"q": "planted.secret@example.org"})
    assert response.json()["count"] == 0


def test_every_response_carries_the_security_headers(client, public_catalogue):
    case, _, org = public_catalogue
    for url in [*public_urls(case, org), "/healthz", "/admin/login/"]:
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp, url
        assert "style-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_production_errors_show_no_traceback_or_settings(client, settings, public_catalogue):
    settings.DEBUG = False
    response = client.get("/cases/definitely-not-a-case/")
    text = body(response)
    assert response.status_code == 404
    assert "Traceback" not in text and "SECRET_KEY" not in text
    assert "Page not found" in text and "Browse all cases" in text


def test_server_error_page_is_in_site_style_without_details(client, settings, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False

    def explode(*args, **kwargs):
        raise RuntimeError("boom with a secret detail")

    monkeypatch.setattr("cases.views.HomeView.get_context_data", explode)
    response = client.get("/")
    assert response.status_code == 500
    text = body(response)
    assert "Something went wrong" in text
    assert "boom" not in text and "Traceback" not in text


def test_admin_requires_login(client, db):
    response = client.get("/admin/cases/case/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_admin_post_without_csrf_token_is_refused(db, editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    response = strict.post("/admin/cases/case/add/", {"title": "No token"})
    assert response.status_code == 403
    assert not Case.objects.filter(title="No token").exists()


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"]
)
def test_editors_cannot_manage_users_or_groups(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_second_editor_cannot_silently_overwrite_the_first(
    client, django_user_model, editor, admin_form_data
):
    case = make_case("A case two editors open at once", themes=["women"])
    other = django_user_model.objects.create_user("other", password="x" * 20, is_staff=True)
    other.groups.set(editor.groups.all())
    url = f"/admin/cases/case/{case.pk}/change/"

    client.force_login(editor)
    first_form = admin_form_data(client.get(url))
    client.force_login(other)
    second_form = admin_form_data(client.get(url))

    client.force_login(editor)
    response = client.post(url, {**first_form, "city": "Lyon"})
    assert response.status_code == 302

    client.force_login(other)
    response = client.post(url, {**second_form, "city": "Nantes"})
    assert response.status_code == 200
    assert "Someone else saved this case after you opened it" in response.content.decode()
    case.refresh_from_db()
    assert case.city == "Lyon"


def test_publish_action_bumps_the_catalogue_version(admin_client):
    case = make_case("Waiting for publication", status=Case.Status.DRAFT)
    before = CatalogueState.objects.current().version
    admin_client.post("/admin/cases/case/", {"action": "publish", "_selected_action": [case.pk]})
    assert CatalogueState.objects.current().version > before
    assert admin_client.get(case.get_absolute_url()).status_code == 200
