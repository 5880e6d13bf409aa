"""An editor imports seed text in the admin: upload, read the preview, confirm."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from cases.models import Case
from tests.conftest import SOURCE
from tests.factories import DESCRIPTION

pytestmark = pytest.mark.browser

PASSWORD = "a-long-editor-passphrase"
NEW_CASE = f"""
Street vendors bargain with the city

{DESCRIPTION}

StreetNet Lima

SSE organization
"""


@pytest.fixture
def editor(catalogue, django_user_model):
    """Staff who may add and change cases, as the Editors group may. (The group of the data
    migration does not outlive the flush of an earlier browser test.)"""
    user = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    codenames = ["add_case", "change_case", "view_case"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def seed_upload() -> dict:
    """The seed text with a contact's role changed and one more case, as an upload."""
    text = (SOURCE / "seed-cases.txt").read_text(encoding="utf-8")
    text = text.replace("Chief of Operations, Other Economies", "Head of Operations") + NEW_CASE
    return {"name": "seed-cases.txt", "mimeType": "text/plain", "buffer": text.encode()}


@pytest.fixture
def problems(page) -> list[str]:
    """The console errors (a style or script the CSP refused) and JS errors of the page."""
    found: list[str] = []

    def on_page_error(error):
        found.append(f"JS error: {error}")

    def on_console(message):
        # The admin links no favicon, so the browser's own guess fails.
        if message.type == "error" and "favicon.ico" not in message.location.get("url", ""):
            found.append(message.text)

    page.on("pageerror", on_page_error)
    page.on("console", on_console)
    yield found
    page.remove_listener("pageerror", on_page_error)
    page.remove_listener("console", on_console)


def test_an_editor_uploads_previews_and_confirms_an_import(page, site, editor, problems):
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")

    page.goto(f"{site}/admin/cases/case/")
    page.get_by_role("link", name="Import seed text").click()
    page.wait_for_url(f"{site}/admin/cases/case/import/")
    page.get_by_label("Seed text files").set_input_files(seed_upload())
    page.get_by_role("button", name="Preview").click()

    counts = page.locator("#import-counts")
    # Created, updated, unchanged.
    expect(counts.get_by_role("row", name="Cases").locator("td")).to_have_text(["1", "1", "2"])
    expect(counts.get_by_role("row", name="Contacts").locator("td")).to_have_text(["0", "1", "2"])
    change = page.locator(".import-updates tr", has_text="Head of Operations")
    expect(change).to_contain_text("Chief of Operations, Other Economies")
    expect(page.get_by_text("New cases will arrive as drafts")).to_be_visible()
    assert not Case.objects.filter(title__startswith="Street vendors").exists()
    assert problems == []

    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url(f"{site}/admin/cases/case/")
    expect(page.locator(".messagelist")).to_contain_text("Imported seed-cases.txt.")
    expect(page.get_by_role("link", name="Street vendors bargain with the city")).to_be_visible()
    assert Case.objects.get(title__startswith="Street vendors").status == Case.Status.DRAFT
    assert problems == []
