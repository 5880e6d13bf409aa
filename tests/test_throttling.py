"""Sign-in throttling (django-axes): 5 wrong passwords per (username, address), then 15 minutes."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from .conftest import EDITOR_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Dozens of sign-ins per test: the hash's strength is not what these tests are about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username: str, password: str = "wrong", **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def fail(client, username: str, times: int, **meta) -> None:
    for _ in range(times):
        sign_in(client, username, **meta)


def assert_refused(response) -> None:
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def assert_signed_in(client, response, user) -> None:
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_right_password_signs_in_before_the_limit(client, editor):
    fail(client, "editor", 4)
    assert_signed_in(client, sign_in(client, "editor", EDITOR_PASSWORD), editor)


def test_fifth_wrong_password_answers_a_page_saying_to_wait_15_minutes(client, editor):
    fail(client, "editor", 4)
    response = sign_in(client, "editor")
    assert_refused(response)
    assert "Wait 15 minutes" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert_refused(sign_in(client, "editor", EDITOR_PASSWORD))
    assert "_auth_user_id" not in client.session


def test_fullwidth_and_mathematical_names_share_the_count_of_editor(client, editor):
    fail(client, "ｅｄｉｔｏｒ", 2)
    fail(client, "𝐞𝐝𝐢𝐭𝐨𝐫", 2)
    assert_refused(sign_in(client, " editor "))
    assert AccessAttempt.objects.get().username == "editor"


def test_fullwidth_name_with_the_right_password_is_refused_once_editor_is_locked(client, editor):
    fail(client, "editor", 5)
    assert_refused(sign_in(client, "ｅｄｉｔｏｒ", EDITOR_PASSWORD))
    assert "_auth_user_id" not in client.session


def test_failures_as_Admin_do_not_lock_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password=EDITOR_PASSWORD)
    fail(client, "Admin", 6)
    assert_signed_in(client, sign_in(client, "admin", EDITOR_PASSWORD), admin)


def test_failures_from_another_address_do_not_lock_the_editor_out(client, editor):
    stranger = Client()
    fail(stranger, "editor", 5, REMOTE_ADDR="203.0.113.9")
    assert_refused(sign_in(stranger, "editor", EDITOR_PASSWORD, REMOTE_ADDR="203.0.113.9"))
    assert_signed_in(client, sign_in(client, "editor", EDITOR_PASSWORD), editor)


def test_with_the_proxy_header_configured_its_client_address_is_counted(client, editor, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    stranger = Client(REMOTE_ADDR=PROXY)
    # A forged left-hand entry does not help: the proxy appended the address it saw.
    fail(stranger, "editor", 5, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert_refused(sign_in(stranger, "editor", HTTP_X_FORWARDED_FOR="198.51.100.7"))

    client.defaults["REMOTE_ADDR"] = PROXY
    response = sign_in(client, "editor", EDITOR_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert_signed_in(client, response, editor)


def test_without_the_proxy_header_configured_the_header_is_ignored(client, editor, settings):
    settings.CLIENT_IP_HEADER = ""
    for n in range(5):
        sign_in(client, "editor", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    response = sign_in(client, "editor", EDITOR_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert_refused(response)


def test_a_malformed_proxy_header_falls_back_to_the_connection_address(client, editor, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    response = sign_in(client, "editor", HTTP_X_REAL_IP="not-an-address")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_the_count_lives_in_the_database_not_in_a_worker_cache(client, editor):
    fail(client, "editor", 5)
    cache.clear()
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert_refused(sign_in(Client(), "editor", EDITOR_PASSWORD))


def test_a_success_starts_the_count_again(client, editor):
    fail(client, "editor", 4)
    sign_in(client, "editor", EDITOR_PASSWORD)
    fail(Client(), "editor", 4)
    assert_signed_in(client, sign_in(client, "editor", EDITOR_PASSWORD), editor)


@pytest.mark.parametrize("command", [["axes_reset_username", "editor"], ["axes_reset"]])
def test_the_reset_commands_lift_the_lock(client, editor, command):
    fail(client, "editor", 5)
    call_command(*command, stdout=StringIO())
    assert_signed_in(client, sign_in(client, "editor", EDITOR_PASSWORD), editor)


def test_a_superuser_lifts_the_lock_in_the_admin(client, editor, admin_client):
    fail(client, "editor", 5)
    attempt = AccessAttempt.objects.get()
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "editor" in page.content.decode()
    delete = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert_signed_in(client, sign_in(client, "editor", EDITOR_PASSWORD), editor)


def test_editors_cannot_see_or_lift_locks(editor_client):
    assert editor_client.get("/admin/axes/accessattempt/").status_code == 403
