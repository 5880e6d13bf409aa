"""Finding one's way: the regions index, breadcrumbs, and an organization list to search."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def rows(page):
    return page.locator(".listing tbody tr td:first-child")


def test_regions_index_leads_to_a_region_and_its_breadcrumb_leads_back(visitor):
    page = visitor.open("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Regions").click()
    page.wait_for_url("**/regions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Regions")
    expect(page.get_by_role("link", name="Africa")).to_have_count(0)  # no published case

    page.get_by_role("link", name="Europe").click()
    page.wait_for_url("**/regions/europe/")
    trail = page.get_by_role("navigation", name="Breadcrumb")
    expect(trail.get_by_role("link")).to_have_text(["Home", "Regions"])
    expect(trail.locator("[aria-current=page]")).to_have_text("Europe")
    trail.get_by_role("link", name="Regions").click()
    page.wait_for_url("**/regions/")
    visitor.assert_clean()


def test_a_theme_without_cases_is_text_and_its_page_offers_a_way_on(visitor):
    page = visitor.open("/themes/")
    expect(page.get_by_role("link", name="Indicators and Measures of Impact")).to_have_count(0)
    expect(page.get_by_text("Indicators and Measures of Impact")).to_be_visible()

    page = visitor.open("/themes/indicators-and-measures-of-impact/")
    expect(page.get_by_text("No published case has this theme yet.")).to_be_visible()
    page.get_by_role("link", name="See all themes").click()
    page.wait_for_url("**/themes/")
    visitor.assert_clean()


def test_organizations_are_searched_filtered_by_kind_and_sorted_without_a_show_button(visitor):
    page = visitor.open("/organizations/")
    expect(page.get_by_role("button", name="Show")).to_have_count(0)
    search = page.get_by_label("Search organizations by name")
    search.fill("de")
    search.press("Enter")
    page.wait_for_url("**/organizations/?q=de")
    expect(page.locator("#results-heading")).to_have_text("2 organizations")

    kinds = page.get_by_role("navigation", name=re.compile(r"^Kind"))
    kinds.get_by_role("link", name=re.compile(r"^Government and public agency")).click()
    page.wait_for_url("**kind=**")
    assert parse_qs(urlsplit(page.url).query) == {
        "q": ["de"],
        "kind": ["government-and-public-agency"],
    }
    expect(rows(page)).to_have_text(["Ayuntamiento de Barcelona"])
    chosen = kinds.get_by_role("link", name=re.compile(r"^Government and public agency"))
    expect(chosen).to_contain_text("chosen")
    expect(search).to_have_value("de")

    chosen.click()
    page.wait_for_url(lambda url: "kind=" not in url)
    page.get_by_role("link", name="Most cases").click()
    page.wait_for_url("**sort=cases**")
    expect(page.locator(".sort-links [aria-current]")).to_have_text("Most cases")
    expect(rows(page)).to_have_count(2)
    visitor.assert_clean()


def test_the_organization_search_keeps_the_chosen_kind(visitor):
    page = visitor.open("/organizations/?kind=sse-organization")
    search = page.get_by_label("Search organizations by name")
    search.fill("peru")
    search.press("Enter")
    page.wait_for_url("**q=peru**")

    assert parse_qs(urlsplit(page.url).query) == {"q": ["peru"], "kind": ["sse-organization"]}
    expect(rows(page)).to_have_text(
        ["Asociación de Municipalidades en Red del Perú (MUNIRED PERU)"]
    )
    visitor.assert_clean()
