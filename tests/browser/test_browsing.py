"""Browsing 300 cases in Chromium: whole-set downloads, filters that keep focus, the phone
sheet, short facets, empty states and numbered pages (issue 11)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from cases import synthetic
from cases.models import Case

from .conftest import MOBILE, Visitor, watching
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def generated(site) -> str:
    """The seed catalogue and 300 synthetic published cases (about 90 Women) on the live server."""
    synthetic.generate_into_database(300, 0)
    return site


@pytest.fixture
def desktop(page, generated) -> Visitor:
    yield from watching(page, generated)


@pytest.fixture
def phone(phone_page, generated) -> Visitor:
    yield from watching(phone_page, generated)


def count_with(**filters) -> int:
    cases = Case.objects.published()
    for name, values in filters.items():
        cases = getattr(cases, f"with_{name}")(values)
    return cases.distinct().count()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def heading(page: Page):
    return page.locator("#results-heading")


def cases_text(n: int) -> str:
    return f"{n} case{'' if n == 1 else 's'}"


def stays_on_this_document(page: Page) -> None:
    """Mark the document: the mark survives in-place updates, not a reload."""
    page.evaluate("window.stayed = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.stayed === true"), "the page was reloaded"


# --- 1. downloads of the whole filtered set ---


def test_downloads_from_page_3_hold_the_whole_filtered_set(desktop):
    women = count_with(themes=["women"])
    assert women > 40, "the generated catalogue needs three pages of Women"
    page = desktop.open("/cases/?theme=women&page=3")

    bar = page.locator(".results-bar")
    expect(bar.locator(".downloads")).to_have_text(f"Download all {women} as CSV · JSON")
    count_box = heading(page).bounding_box()
    downloads_box = bar.locator(".downloads").bounding_box()
    assert abs(downloads_box["y"] - count_box["y"]) < count_box["height"], "beside the count"

    csv_href = bar.get_by_role("link", name="CSV").get_attribute("href")
    json_href = bar.get_by_role("link", name="JSON").get_attribute("href")
    assert "page" not in csv_href and "page" not in json_href
    rows = list(csv.reader(io.StringIO(page.request.get(csv_href).text())))
    assert len(rows) - 1 == women

    slugs, url = [], desktop.base_url + json_href
    while url:
        answer = page.request.get(url).json()
        slugs += [case["slug"] for case in answer["results"]]
        url = answer["next"]
    published = Case.objects.published().with_themes(["women"]).values_list("slug", flat=True)
    assert sorted(slugs) == sorted(published)
    desktop.assert_clean()


# --- 2. filters that keep focus ---


def test_ticking_a_filter_updates_in_place_keeps_focus_and_announces_the_count(desktop):
    page = desktop.open("/cases/")
    stays_on_this_document(page)
    women = page.get_by_role("checkbox", name=re.compile(r"^Women\b"))
    youth = page.get_by_role("checkbox", name=re.compile(r"^Youth\b"))

    women.focus()
    page.keyboard.press("Space")
    expect(heading(page)).to_have_text(cases_text(count_with(themes=["women"])))
    expect(women).to_be_focused()
    expect(women).to_be_checked()
    expect(page.get_by_role("status")).to_have_text(cases_text(count_with(themes=["women"])))
    assert query(page) == {"theme": ["women"]}
    assert_same_document(page)

    page.keyboard.press("Tab")
    expect(youth).to_be_focused()
    page.keyboard.press("Space")
    either = count_with(themes=["women", "youth"])
    expect(heading(page)).to_have_text(cases_text(either))
    expect(youth).to_be_focused()
    assert query(page) == {"theme": ["women", "youth"]}

    page.go_back()
    expect(heading(page)).to_have_text(cases_text(count_with(themes=["women"])))
    expect(youth).not_to_be_checked()
    assert query(page) == {"theme": ["women"]}
    assert_same_document(page)
    desktop.assert_clean()


def test_sort_applies_on_enter_or_on_leaving_never_on_arrow_keys_alone(desktop):
    page = desktop.open("/cases/")
    stays_on_this_document(page)
    titles = page.locator(".cases .case-title")
    first = titles.first.inner_text()
    sort = page.get_by_label("Sort by")

    sort.focus()
    page.keyboard.press("ArrowDown")
    expect(sort).to_have_value("-title")
    page.wait_for_timeout(500)
    assert query(page) == {}
    expect(titles.first).to_have_text(first)

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?sort=-title$"))
    last = Case.objects.published().sorted_by("-title").values_list("title", flat=True)[:20]
    expect(titles).to_have_text(list(last))
    expect(sort).to_be_focused()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page).to_have_url(re.compile(r"\?sort=recent$"))
    expect(page.get_by_role("button", name="Sort", exact=True)).to_be_focused()
    assert_same_document(page)
    desktop.assert_clean()


def test_skip_to_results_reaches_the_first_result_in_a_few_tabs(visitor):
    page = visitor.open("/cases/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    first = page.locator(".cases .case-title a").first
    tabs = 0
    while tabs < 5 and not first.evaluate("link => link === document.activeElement"):
        page.keyboard.press("Tab")
        tabs += 1
    expect(first).to_be_focused()  # within five Tabs of the skip link
    visitor.assert_clean()


# --- 3. phones: a sheet of filters ---


def test_phone_filters_open_in_a_sheet_with_their_count_and_a_show_button(phone):
    page = phone.open("/cases/?theme=women")
    first = page.locator(".cases .case-title").first
    assert first.bounding_box()["y"] + 40 < 812, "the first result starts on the first screen"
    expect(page.locator("input[type=search]:visible")).to_have_count(1)
    youth = page.get_by_role("checkbox", name=re.compile(r"^Youth\b"))
    expect(youth).to_be_hidden()

    page.get_by_role("button", name="Filters (1)").click()
    expect(youth).to_be_visible()
    youth.click()
    either = count_with(themes=["women", "youth"])
    show = page.get_by_role("button", name=f"Show {either} cases")
    expect(show).to_be_visible()
    box = show.bounding_box()
    assert box["y"] + box["height"] <= 812, "the Show button stays on screen"

    show.click()
    expect(youth).to_be_hidden()
    expect(heading(page)).to_have_text(cases_text(either))
    expect(page.get_by_role("button", name="Filters (2)")).to_be_visible()
    expect(page.locator("#results")).to_be_focused()
    assert query(page) == {"theme": ["women", "youth"]}
    phone.assert_clean()


def test_phone_sheet_and_apply_button_work_without_javascript(browser, site):
    context = browser.new_context(**MOBILE, java_script_enabled=False)
    visitor = Visitor(context.new_page(), site)
    page = visitor.open("/cases/")
    women = page.get_by_role("checkbox", name=re.compile(r"^Women\b"))
    expect(women).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    women.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/cases/?**")
    assert query(page)["theme"] == ["women"]
    expect(heading(page)).to_have_text("1 case")
    expect(women).to_be_hidden()
    visitor.assert_clean()
    context.close()


# --- 5. empty states ---


def test_an_empty_search_says_what_found_nothing_and_offers_ways_out(visitor):
    page = visitor.open("/cases/?q=zzyzx&theme=women")
    results = page.locator("#results")
    expect(results).to_contain_text(
        "No case matches the search “zzyzx” with the filter Theme: Women."
    )
    expect(page.get_by_label("Sort by")).to_have_count(0)
    expect(results.get_by_role("link", name="CSV")).to_have_count(0)
    expect(results.get_by_role("link", name="Browse the themes")).to_be_visible()

    results.get_by_role("link", name="Remove Theme: Women").click()
    page.wait_for_url("**/cases/?q=zzyzx")
    page.locator("#results").get_by_role("link", name="Drop the search “zzyzx”").click()
    page.wait_for_url(re.compile(r"/cases/\??$"))
    expect(heading(page)).to_have_text("3 cases")
    visitor.assert_clean()


def test_an_empty_search_links_the_closest_words(visitor):
    page = visitor.open("/cases/?q=coperative")
    page.get_by_role("link", name="cooperative").click()
    page.wait_for_url("**/cases/?q=cooperative")
    expect(heading(page)).not_to_have_text("0 cases")
    visitor.assert_clean()


# --- 6. short facets that explain themselves ---


def countries(page: Page):
    return page.locator("fieldset", has=page.locator("legend", has_text="Countries"))


def test_countries_show_the_largest_first_and_filter_as_you_type(desktop):
    page = desktop.open("/cases/")
    group = countries(page)
    expect(group).to_contain_text("Any of these")
    visible = group.locator("input[type=checkbox]:visible")
    expect(visible).to_have_count(5)
    counts = [int(n) for n in group.locator("li:visible .count").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    total = group.locator("input[type=checkbox]").count()
    summary = group.locator("summary")
    expect(summary).to_have_text(f"Show all {total} countries", use_inner_text=True)

    group.get_by_label("Find countries").fill("germ")
    germany = group.get_by_role("checkbox", name=re.compile(r"^Germany\b"))
    expect(germany).to_be_visible()
    expect(group.locator("input[type=checkbox]:visible")).to_have_count(1)

    germany.click()
    expect(heading(page)).to_have_text(cases_text(count_with(countries=["DE"])))
    expect(germany).to_be_focused()
    expect(group.get_by_label("Find countries")).to_have_value("germ")
    expect(group.locator("input[type=checkbox]:visible")).to_have_count(1)
    desktop.assert_clean()


def test_without_javascript_show_all_lists_every_country(browser, generated):
    context = browser.new_context(java_script_enabled=False)
    visitor = Visitor(context.new_page(), generated)
    page = visitor.open("/cases/")
    group = countries(page)
    expect(group.get_by_label("Find countries")).to_be_hidden()
    group.locator("summary").click()
    boxes = group.locator("input[type=checkbox]")
    expect(group.locator("input[type=checkbox]:visible")).to_have_count(boxes.count())
    visitor.assert_clean()
    context.close()


ZERO_LAST = """fieldset => [...fieldset.querySelectorAll("ul")].map(
  list => [...list.querySelectorAll("input")].map(box => box.disabled))"""


def test_options_without_matches_come_after_the_others(desktop):
    page = desktop.open("/cases/?region=oceania")
    for group in page.locator("#facets fieldset").all():
        for disabled in group.evaluate(ZERO_LAST):
            assert disabled == sorted(disabled), "a greyed option before a live one"
    desktop.assert_clean()


# --- 10. numbered pages ---


def test_numbered_pages_with_gaps_and_the_range_shown(desktop):
    page = desktop.open("/cases/?page=8")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator(".range")).to_have_text("141–160 of 303")
    expect(pages.get_by_role("link")).to_have_text(
        ["← Previous", "Page 1", "Page 7", "Page 9", "Page 16", "Next →"]
    )
    expect(pages.locator(".gap")).to_have_count(2)
    assert pages.locator("a[rel=prev]").get_attribute("href") == "?page=7"
    assert pages.locator("a[rel=next]").get_attribute("href") == "?page=9"
    pages.get_by_role("link", name="Page 16").click()
    page.wait_for_url("**/cases/?page=16")
    current = page.get_by_role("navigation", name="Pages").locator("[aria-current=page]")
    expect(current).to_have_text("Page 16")
    desktop.assert_clean()


# --- accessibility of what changed, at both widths ---


@pytest.mark.parametrize("path", ["/cases/?theme=women&page=2", "/cases/?q=zzyzx"])
def test_generated_case_list_passes_axe_at_both_widths(desktop, phone, path):
    assert blocking_violations(desktop.open(path)) == []
    page = phone.open(path)
    assert blocking_violations(page) == []
    page.get_by_role("button", name=re.compile(r"^Filters")).click()
    assert blocking_violations(page) == []
    desktop.assert_clean()
    phone.assert_clean()
