"""`manage.py createeditor`: an editor account in one command."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from .conftest import EDITOR_PASSWORD

pytestmark = pytest.mark.django_db


def test_createeditor_makes_a_staff_member_of_editors_who_can_sign_in(client, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", EDITOR_PASSWORD)
    call_command("createeditor", "maria", "--email", "maria@example.org", "--no-input")
    user = get_user_model().objects.get(username="maria")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.check_password(EDITOR_PASSWORD)
    client.force_login(user)
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_createeditor_promotes_an_existing_user_and_keeps_their_password(monkeypatch):
    get_user_model().objects.create_user(username="pau", password=EDITOR_PASSWORD)
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    call_command("createeditor", "pau", "--no-input")
    user = get_user_model().objects.get(username="pau")
    assert user.is_staff and user.groups.filter(name="Editors").exists()
    assert user.check_password(EDITOR_PASSWORD)


@pytest.mark.parametrize(("password", "says"), [(None, "needs a password"), ("123", "too short")])
def test_createeditor_refuses_a_new_account_without_a_good_password(monkeypatch, password, says):
    if password is None:
        monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("EDITOR_PASSWORD", password)
    with pytest.raises(CommandError, match=says):
        call_command("createeditor", "nobody", "--no-input")
    assert not get_user_model().objects.filter(username="nobody").exists()
