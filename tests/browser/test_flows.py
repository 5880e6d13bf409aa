"""A newcomer browses the seed catalogue in headless Chromium: filters, chips, search, detail."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from .conftest import BARCELONA, Visitor

pytestmark = pytest.mark.browser

BARCELONA_TITLE = re.compile(r"^Cooperation Between A Municipality and A Cooperative of Junk")


def query(page: Page) -> dict[str, list[str]]:
    """The page URL's filters and search (the sort select rides along in the form; ignored)."""
    params = parse_qs(urlsplit(page.url).query)
    params.pop("sort", None)
    return params


def results_heading(page: Page):
    return page.locator("#results-heading")


def test_newcomer_filters_searches_and_follows_a_theme(visitor):
    page = visitor.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Social and solidarity economy case studies"
    )
    visitor.assert_clean()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.wait_for_url("**/cases/")
    expect(results_heading(page)).to_have_text("3 cases")
    visitor.assert_clean()

    # Ticking a checkbox applies it at once (site.js replaces the results, pushes the URL).
    with page.expect_navigation():
        page.get_by_role("checkbox", name=re.compile(r"^Social Cohesion\b")).click()
    assert query(page) == {"theme": ["social-cohesion"]}
    expect(results_heading(page)).to_have_text("2 cases")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Social Cohesion\b"))).to_be_checked()
    # Counts are disjunctive: Asia has no Social Cohesion case, so it is shown but disabled.
    expect(page.get_by_role("checkbox", name=re.compile(r"^Asia\b"))).to_be_disabled()
    visitor.assert_clean()

    with page.expect_navigation():
        page.get_by_role("checkbox", name=re.compile(r"^Europe\b")).click()
    assert query(page) == {"theme": ["social-cohesion"], "region": ["europe"]}
    expect(results_heading(page)).to_have_text("1 case")
    expect(page.locator(".cases .case-title")).to_have_count(1)
    expect(page.locator(".cases .case-title")).to_have_text(BARCELONA_TITLE)
    visitor.assert_clean()

    chips = page.get_by_role("list", name="Active filters")
    expect(chips.get_by_role("link")).to_have_text(
        [re.compile(r"^Theme: Social Cohesion"), re.compile(r"^Region: Europe"), "Clear all"]
    )
    chips.get_by_role("link", name=re.compile(r"^Region: Europe")).click()
    page.wait_for_url(lambda url: "region=" not in url)
    assert query(page) == {"theme": ["social-cohesion"]}
    expect(results_heading(page)).to_have_text("2 cases")
    visitor.assert_clean()

    # Accent-insensitive search over contact names: "vegue" finds Ms. Vegué's case.
    search = page.get_by_label("Search titles, descriptions, organizations and people")
    search.fill("vegue")
    search.press("Enter")
    page.wait_for_url("**q=vegue**")
    assert query(page) == {"q": ["vegue"], "theme": ["social-cohesion"]}
    expect(results_heading(page)).to_have_text("1 case")
    visitor.assert_clean()

    page.get_by_role("link", name=BARCELONA_TITLE).click()
    page.wait_for_url(f"**/cases/{BARCELONA}/")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(BARCELONA_TITLE)
    expect(page.locator(".contact").filter(has_text="Vegué")).to_contain_text(
        "Ms. Elisenda Vegué Gisbert"
    )
    visitor.assert_clean()

    page.locator(".facts").get_by_role("link", name="Social Cohesion").click()
    page.wait_for_url("**/themes/social-cohesion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Social Cohesion")
    expect(page.get_by_role("link", name=BARCELONA_TITLE)).to_be_visible()
    visitor.assert_clean()


def test_home_search_box_finds_a_case_by_an_unaccented_name(visitor):
    page = visitor.open("/")
    page.get_by_label("Search the catalogue").fill("vegue")
    page.get_by_label("Search the catalogue").press("Enter")
    page.wait_for_url("**/cases/?q=vegue")
    assert query(page) == {"q": ["vegue"]}
    expect(results_heading(page)).to_have_text("1 case")
    expect(page.get_by_role("link", name=BARCELONA_TITLE)).to_be_visible()
    visitor.assert_clean()


def test_sort_select_applies_with_its_button(visitor):
    page = visitor.open("/cases/")
    page.get_by_label("Sort by").select_option("-title")
    with page.expect_navigation():
        page.get_by_role("button", name="Sort", exact=True).click()
    assert parse_qs(urlsplit(page.url).query) == {"sort": ["-title"]}
    titles = page.locator(".cases .case-title").all_inner_texts()
    assert titles == sorted(titles, key=str.casefold, reverse=True)
    visitor.assert_clean()


def test_apply_filters_button_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    visitor = Visitor(context.new_page(), site)
    page = visitor.open("/cases/")
    # Without site.js nothing submits on change: the ticked boxes wait for the button.
    page.get_by_role("checkbox", name=re.compile(r"^Women\b")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Asia\b")).check()
    assert urlsplit(page.url).query == ""
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/cases/?**")
    assert query(page) == {"theme": ["women"], "region": ["asia"]}
    expect(results_heading(page)).to_have_text("1 case")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Women\b"))).to_be_checked()
    page.get_by_role("list", name="Active filters").get_by_role("link", name="Clear all").click()
    page.wait_for_url("**/cases/")
    expect(results_heading(page)).to_have_text("3 cases")
    visitor.assert_clean()
    context.close()


@pytest.mark.parametrize("path", ["/", "/cases/"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(visitor, path):
    page = visitor.open(path)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#main")
    # The next Tab continues inside main, not back at the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    visitor.assert_clean()


FOCUS_STYLE = """() => {
  const s = getComputedStyle(document.activeElement);
  return {tag: document.activeElement.outerHTML.slice(0, 80),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2};
}"""


def test_every_early_tab_stop_shows_a_focus_outline(visitor):
    page = visitor.open("/cases/")
    unmarked = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if not focus["outline"]:
            unmarked.append(focus["tag"])
    assert unmarked == []


def test_mobile_case_list_folds_the_filters_so_results_come_first(mobile_visitor):
    page = mobile_visitor.open("/cases/")
    women = page.get_by_role("checkbox", name=re.compile(r"^Women\b"))
    expect(women).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    expect(women).to_be_visible()
    mobile_visitor.assert_clean()


def test_favicon_is_declared_and_served(visitor):
    page = visitor.open("/")
    icons = page.locator("link[rel~='icon']")
    assert icons.count() == 1, "no <link rel=icon> in <head>"
    response = page.request.get(icons.evaluate("link => link.href"))
    assert response.status == 200
