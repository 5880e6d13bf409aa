"""The region map in Chromium: its shades follow the filters, and a region leads to its cases."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ..factories import make_case
from .conftest import Visitor

pytestmark = pytest.mark.browser


@pytest.fixture
def youth_in_africa(site) -> str:
    """The seed catalogue (Europe, Asia, Latin America; one case about women) and three youth
    cases in Africa."""
    for _ in range(3):
        make_case(region="africa", themes=["youth"])
    return site


def region(page, slug: str):
    return page.locator(f'#region-map a[data-region="{slug}"]')


def test_shading_follows_a_ticked_filter(page, youth_in_africa):
    visitor = Visitor(page, youth_in_africa)
    page = visitor.open("/cases/")
    expect(region(page, "africa")).to_have_class(re.compile(r"\bshade-4\b"))
    expect(region(page, "europe")).to_have_class(re.compile(r"\bshade-2\b"))
    expect(page.get_by_role("link", name="Africa: 3 cases")).to_be_visible()

    page.get_by_role("checkbox", name=re.compile("^Women")).check()
    expect(page).to_have_url(re.compile(r"theme=women"))
    # In place, by the page's script: Africa has no case about women.
    expect(region(page, "africa")).to_have_class(re.compile(r"\bshade-0\b"))
    expect(page.get_by_role("link", name="Africa: 0 cases")).to_be_attached()
    africa = parse_qs(urlsplit(region(page, "africa").get_attribute("href")).query)
    assert africa == {"theme": ["women"], "region": ["africa"]}
    visitor.assert_clean()


def test_clicking_a_region_lists_its_cases(page, youth_in_africa):
    visitor = Visitor(page, youth_in_africa)
    page = visitor.open("/")
    page.get_by_role("link", name="Africa: 3 cases").click()
    expect(page).to_have_url(re.compile(r"/cases/\?region=africa$"))
    expect(page.get_by_role("heading", name="3 cases")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("^Africa"))).to_be_checked()
    chosen = page.get_by_role("link", name="Africa: 3 cases (chosen; remove)")
    expect(chosen).to_have_class(re.compile(r"\bselected\b"))

    # Europe's box is centred on the sea (it spans Iceland to Chukotka); South America's is not.
    page.get_by_role("link", name=re.compile("^Latin America: 1 case")).click()
    expect(page).to_have_url(re.compile(r"/cases/\?region=africa&region=latin-america$"))
    expect(page.get_by_role("heading", name="4 cases")).to_be_visible()
    visitor.assert_clean()


def test_map_works_without_script(browser, youth_in_africa):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(youth_in_africa + "/cases/?theme=youth")
    expect(region(page, "africa")).to_have_class(re.compile(r"\bshade-4\b"))
    expect(region(page, "europe")).to_have_class(re.compile(r"\bshade-0\b"))
    page.get_by_role("link", name="Africa: 3 cases").click()
    expect(page).to_have_url(re.compile(r"/cases/\?theme=youth&region=africa$"))
    context.close()


def test_phone_keeps_only_the_table(mobile_visitor):
    page = mobile_visitor.open("/")
    expect(page.locator("#region-map svg")).to_be_hidden()
    page.get_by_text("The numbers as a table").click()
    expect(page.get_by_role("row", name=re.compile("Europe"))).to_be_visible()
