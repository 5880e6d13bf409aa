"""A reader switches the interface's language: the same page, with its filters, in Spanish or
French; a filter ticked in place (without a reload) is kept too."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_switcher_keeps_the_page_and_the_filters_ticked_in_place(visitor):
    page = visitor.open("/cases/?sort=-title")
    # Ticked in place: the results and the switcher are updated without a reload.
    page.get_by_role("checkbox", name=re.compile(r"^Women\b")).check()
    page.wait_for_url(re.compile(r"theme=women"))
    languages = page.get_by_role("navigation", name="Language")
    expect(languages.get_by_role("link", name="Español")).to_have_attribute(
        "href", re.compile(r"^/es/cases/\?.*theme=women")
    )

    languages.get_by_role("link", name="Español").click()
    page.wait_for_url("**/es/cases/?**")
    assert parse_qs(urlsplit(page.url).query) == {"sort": ["-title"], "theme": ["women"]}
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casos")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Mujeres\b"))).to_be_checked()

    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/cases/?**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cas")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Femmes\b"))).to_be_checked()

    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/cases/\?"))
    assert "/fr/" not in page.url and "/es/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visitor.assert_clean()


def test_case_page_switches_language_and_keeps_its_text(visitor):
    page = visitor.open("/cases/")
    title = page.locator(".cases .case-title a").first
    name = title.inner_text()
    title.click()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/cases/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Citer ce cas")).to_be_visible()
    visitor.assert_clean()
