"""Visual polish that a test can see: few underlines, a card's order, numbers that fit a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import BARCELONA

pytestmark = pytest.mark.browser

UNDERLINED = "element => getComputedStyle(element).textDecorationLine.includes('underline')"


def test_titles_tags_and_navigation_go_without_underlines_and_prose_links_keep_them(visitor):
    page = visitor.open("/")

    for bare in (".case-title a", ".tags a", "nav[aria-label='Main'] a"):
        assert not page.locator(bare).first.evaluate(UNDERLINED), bare
    assert page.locator(".site-footer a").first.evaluate(UNDERLINED)

    page = visitor.open("/themes/social-cohesion/")
    assert not page.locator(".breadcrumb a").first.evaluate(UNDERLINED)
    assert page.get_by_role("link", name="filter and search them").evaluate(UNDERLINED)
    visitor.assert_clean()


def test_a_card_reads_title_place_themes_then_excerpt(visitor):
    page = visitor.open("/cases/?q=vegue")
    card = page.locator(".case-card").first
    parts = [".case-title", ".meta", ".tags", ".excerpt"]

    tops = [card.locator(part).first.bounding_box()["y"] for part in parts]

    assert tops == sorted(tops), dict(zip(parts, tops, strict=True))
    visitor.assert_clean()


def test_case_page_headings_are_lighter_than_its_title(visitor):
    page = visitor.open(f"/cases/{BARCELONA}/")
    weight = "element => parseInt(getComputedStyle(element).fontWeight, 10)"
    size = "element => parseFloat(getComputedStyle(element).fontSize)"
    title = page.get_by_role("heading", level=1)
    section = page.get_by_role("heading", name="Description")

    assert section.evaluate(weight) < title.evaluate(weight)
    assert section.evaluate(size) < 0.6 * title.evaluate(size)
    visitor.assert_clean()


NOT_CUT = """dt => {
  const line = parseFloat(getComputedStyle(dt).lineHeight);
  return dt.getBoundingClientRect().height < 1.5 * line && dt.scrollWidth <= dt.clientWidth;
}"""


@pytest.mark.parametrize("width", [320, 375])
def test_home_statistics_keep_their_words_whole_on_a_phone(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site}/")
    labels = page.locator(".stats dt")

    expect(labels).to_have_text(["Cases", "Organizations", "Countries"])
    for label in labels.all():
        assert label.evaluate(NOT_CUT), f"{label.inner_text()} is broken or cut at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
