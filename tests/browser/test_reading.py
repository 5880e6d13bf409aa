"""Reading a case: why a search found it, when it was added, a link to keep, a clean printout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import BARCELONA, Visitor

pytestmark = pytest.mark.browser


def test_a_search_result_shows_the_matched_contact_highlighted(visitor):
    page = visitor.open("/")
    page.get_by_label("Search the catalogue").fill("vegue")
    page.get_by_label("Search the catalogue").press("Enter")
    page.wait_for_url("**/cases/?q=vegue")

    card = page.locator(".case-card")
    expect(card).to_have_count(1)
    expect(card.locator(".excerpt-person")).to_have_text(
        "Contact: Elisenda Vegué Gisbert, Chief of Operations, Other Economies"
    )
    expect(card.locator("mark")).to_have_text(["Vegué"])
    expect(card.locator("mark")).to_be_visible()
    visitor.assert_clean()


def test_a_search_result_marks_the_words_of_the_description(visitor):
    page = visitor.open("/cases/?q=garbage+picking")

    marks = page.locator(".case-card .excerpt mark")
    expect(marks).to_have_text(["garbage", "picking"])
    # The excerpt is cut around the match, and says so.
    expect(page.locator(".case-card .excerpt").first).to_contain_text(re.compile(r"^…"))
    visitor.assert_clean()


def test_the_case_page_dates_the_case_and_copies_its_permalink(visitor, site):
    page = visitor.open(f"/cases/{BARCELONA}/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)

    expect(page.locator(".dates time")).to_have_count(2)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT.*", page.locator(".dates time").first.get_attribute("datetime")
    )
    permalink = page.get_by_label("Permanent link to this case")
    expect(permalink).to_have_value(f"{site}/cases/{BARCELONA}/")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/cases/{BARCELONA}/"
    visitor.assert_clean()


def test_without_javascript_the_permalink_is_a_field_to_select(browser, site):
    context = browser.new_context(java_script_enabled=False)
    visitor = Visitor(context.new_page(), site)
    page = visitor.open(f"/cases/{BARCELONA}/")

    expect(page.get_by_role("button", name="Copy")).to_be_hidden()
    permalink = page.get_by_label("Permanent link to this case")
    expect(permalink).to_have_value(f"{site}/cases/{BARCELONA}/")
    expect(permalink).not_to_be_editable()
    permalink.focus()
    page.keyboard.press("Control+A")
    selected = permalink.evaluate(
        "field => field.value.slice(field.selectionStart, field.selectionEnd)"
    )
    assert selected == f"{site}/cases/{BARCELONA}/"
    visitor.assert_clean()
    context.close()


def test_where_the_facts_come_from_is_folded_under_the_story(visitor):
    page = visitor.open(f"/cases/{BARCELONA}/")
    table = page.get_by_role("table")

    expect(table).to_be_hidden()
    story = page.locator(".description").bounding_box()
    summary = page.get_by_text("Where these facts come from")
    assert summary.bounding_box()["y"] > story["y"] + story["height"], "under the story"
    summary.click()
    expect(table).to_be_visible()
    expect(
        table.get_by_role("row", name=re.compile(r"^Region Added by the editors"))
    ).to_be_visible()
    visitor.assert_clean()


def test_a_printed_case_keeps_its_story_and_address_and_drops_the_site_around_it(visitor, site):
    page = visitor.open(f"/cases/{BARCELONA}/")
    expect(page.locator(".print-only")).to_be_hidden()

    page.emulate_media(media="print")

    for hidden in (
        ".site-header",
        "nav[aria-label='Main']",
        ".header-search",
        ".breadcrumb",
        ".related",
        ".site-footer",
        ".permalink",
    ):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in ("h1", ".dates", ".facts", ".description", ".organizations", ".source"):
        expect(page.locator(shown)).to_be_visible()
    expect(page.get_by_text("Ms. Elisenda Vegué Gisbert")).to_be_visible()
    expect(page.locator(".print-only")).to_have_text(
        f"From the SSE case-study catalogue: {site}/cases/{BARCELONA}/"
    )
    expect(page.locator(".print-only")).to_be_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    visitor.assert_clean()
