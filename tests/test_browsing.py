"""Browsing /cases/: downloads of the whole filtered set, the filter panel, empty states, pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.paginator import Paginator

from cases.filters import Facet, Option, panel_groups
from cases.templatetags.pagination import page_numbers

from .factories import make_case, many_cases
from .test_views import _Page, get, link_with_rel, links, main, query, text

pytestmark = pytest.mark.django_db


def downloads(html: str) -> dict[str, str]:
    """The page's download links (not the footer's), by label."""
    return {label: href for href, label in links(main(html)) if label in {"CSV", "JSON"}}


# --- downloads: the whole filtered set, whichever page is on screen ---


def test_download_links_carry_search_filters_and_sort_but_never_the_page(client):
    many_cases(45)

    found = downloads(get(client, "/cases/", q="waste", theme="women", sort="-title", page=3))

    assert urlsplit(found["CSV"]).path == "/cases.csv"
    assert urlsplit(found["JSON"]).path == "/cases.json"
    for href in found.values():
        assert query(href) == {"q": ["waste"], "theme": ["women"], "sort": ["-title"]}


def test_downloads_from_a_later_page_hold_every_case_the_count_names(client):
    many_cases(45)
    many_cases(3, themes=["youth"], prefix="Youth")

    html = get(client, "/cases/", theme="women", page=3)
    found = downloads(html)

    assert "45 cases Download all 45 as CSV · JSON" in text(main(html))
    assert client.get(found["CSV"])["X-Total-Count"] == "45"
    assert client.get(found["JSON"]).json()["count"] == 45


def test_nothing_matched_offers_neither_sort_nor_downloads(client, imported):
    html = get(client, "/cases/", q="zzyzx")

    assert downloads(html) == {}
    assert "Download all" not in text(html)
    assert "select" not in [tag for tag, _ in _Page(html).tags]


# --- the filter panel ---


def filters_button(html: str) -> str:
    """The text of the button that opens the filters on a phone."""
    return text(re.search(r'<button[^>]* class="filters-toggle[^>]*>(.*?)</button>', html).group(1))


def test_filters_button_counts_the_ticked_filters_not_the_search(client, imported):
    ticked = get(client, "/cases/", q="waste", theme=["women", "youth"], region="asia")

    assert filters_button(ticked) == "Filters (3)"
    assert filters_button(get(client, "/cases/", q="waste")) == "Filters"


def test_each_facet_says_how_its_options_and_the_groups_combine(client, imported):
    page = text(main(get(client, "/cases/")))

    assert "Groups combine with “and”: a case matches every group you use." in page
    for label in ["Themes", "Regions", "Countries", "Organization kinds"]:
        assert f"{label} Any of these" in page


def test_the_case_list_has_one_search_box(client, imported):
    def search_boxes(html):
        return [a for tag, a in _Page(html).tags if tag == "input" and a.get("name") == "q"]

    assert [box["id"] for box in search_boxes(get(client, "/cases/"))] == ["q"]
    assert [box["id"] for box in search_boxes(get(client, "/themes/"))] == ["header-q"]


def test_the_first_result_comes_before_the_list_of_filters_skipped_by_a_link(client, imported):
    html = get(client, "/cases/")

    assert ("#results", "Skip to results") in links(html)
    assert 'id="results"' in html


def options(*spec: tuple[str, int] | tuple[str, int, bool]) -> list[Option]:
    return [Option(s[0].lower(), s[0], s[1], len(s) > 2 and s[2]) for s in spec]


def shown(group) -> tuple[list[str], list[str]]:
    return [o.label for o in group.top], [o.label for o in group.rest]


def test_a_short_facet_lists_options_without_matches_after_the_others():
    facet = Facet("region", "Regions", options(("Africa", 0), ("Asia", 2), ("Europe", 0, True)))

    (group,) = panel_groups([facet])

    # A ticked option stays with the live ones, even when nothing matches it any more.
    assert shown(group) == (["Asia", "Europe", "Africa"], [])


def test_a_long_facet_shows_its_largest_options_and_folds_the_rest_alphabetically():
    counts = [("Austria", 1), ("Brazil", 0), ("Chile", 9), ("Denmark", 4), ("Egypt", 4)]
    counts += [("France", 7), ("Ghana", 0), ("India", 2), ("Japan", 5), ("Kenya", 3)]
    (group,) = panel_groups([Facet("country", "Countries", options(*counts))])

    top, rest = shown(group)
    assert top == ["Chile", "France", "Japan", "Denmark", "Egypt"]  # equal counts: by name
    assert rest == ["Austria", "India", "Kenya", "Brazil", "Ghana"]
    assert group.total == 10
    assert not group.rest_selected


def test_a_long_facet_unfolds_when_a_ticked_option_is_folded_away():
    counts = [(f"Country {letter}", 10 - i) for i, letter in enumerate("ABCDEFGHI")]
    counts[-1] = ("Country I", 1, True)

    (group,) = panel_groups([Facet("country", "Countries", options(*counts))])

    assert shown(group)[1][-1] == "Country I"
    assert group.rest_selected


def test_the_country_facet_folds_beyond_five_countries_on_the_page(client):
    for i, code in enumerate(["ES", "FR", "DE", "IT", "PT", "BR", "CL", "KE", "IN"]):
        for _ in range(9 - i):
            make_case(themes=["women"], country=code)

    html = main(get(client, "/cases/"))
    countries = html.split("<legend>Countries</legend>", 1)[1].split("</fieldset>", 1)[0]
    top, rest = countries.split("<details", 1)

    def labels(part):
        return [text(label) for label in re.findall(r'<label for="f-country-.*?</label>', part)]

    assert labels(top) == ["Spain 9", "France 8", "Germany 7", "Italy 6", "Portugal 5"]
    assert labels(rest) == ["Brazil 4", "Chile 3", "India 1", "Kenya 2"]
    assert "Show all 9" in text(rest)
    assert 'id="find-country"' in top, "the type-to-filter box of a long facet"


# --- empty states ---


def test_a_facet_without_any_value_says_none_yet(client):
    make_case(themes=["women"])  # no country stated

    html = main(get(client, "/cases/"))
    countries = html.split("<legend>Countries</legend>", 1)[1].split("</fieldset>", 1)[0]

    assert '<li class="empty">None yet</li>' in countries
    assert 'id="f-country-' not in countries


def test_an_empty_result_names_the_search_and_filters_and_links_a_way_out(client, imported):
    html = main(get(client, "/cases/", q="zzyzx", theme="women", region="asia"))
    ways_out = dict((label, href) for href, label in links(html))

    assert (
        "No case matches the search “zzyzx” with the filters Theme: Women and Region: Asia"
        in text(html)
    )
    assert query(ways_out["Drop the search “zzyzx”"]) == {"theme": ["women"], "region": ["asia"]}
    assert query(ways_out["Remove Theme: Women"]) == {"q": ["zzyzx"], "region": ["asia"]}
    assert query(ways_out["Remove Region: Asia"]) == {"q": ["zzyzx"], "theme": ["women"]}
    assert ways_out["Clear everything and see all cases"] == "/cases/"
    assert ways_out["Browse the themes"] == "/themes/"
    after = get(client, "/cases/" + ways_out["Drop the search “zzyzx”"])
    assert "1 case" in text(after)


def test_an_empty_result_offers_the_closest_words(client, imported):
    html = main(get(client, "/cases/", q="coperative barcelna"))

    assert "No case matches the search “coperative barcelna”" in text(html)
    assert "Did you mean cooperative barcelona" in text(html)


# --- numbered pages ---


@pytest.mark.parametrize(
    ("number", "shown_numbers"),
    [
        (1, [1, 2, None, 250]),
        (5, [1, None, 4, 5, 6, None, 250]),
        (250, [1, None, 249, 250]),
    ],
)
def test_page_numbers_show_the_ends_and_the_neighbours_with_gaps_between(number, shown_numbers):
    assert page_numbers(Paginator(range(5000), 20).page(number)) == shown_numbers


def test_pagination_links_numbered_pages_and_says_which_cases_are_shown(client):
    many_cases(65)

    html = main(get(client, "/cases/", theme="women", page=2))

    assert "21–40 of 65" in text(html)
    numbered = [(label, query(href)) for href, label in links(html) if label.startswith("Page")]
    assert numbered == [
        ("Page 1", {"theme": ["women"], "page": ["1"]}),
        ("Page 3", {"theme": ["women"], "page": ["3"]}),
        ("Page 4", {"theme": ["women"], "page": ["4"]}),
    ]
    assert '<span aria-current="page"><span class="visually-hidden">Page </span>2</span>' in html
    assert query(link_with_rel(html, "prev")) == {"theme": ["women"], "page": ["1"]}
    assert query(link_with_rel(html, "next")) == {"theme": ["women"], "page": ["3"]}


def test_theme_pages_number_their_pages_too(client):
    many_cases(25)

    assert "21–25 of 25" in text(main(get(client, "/themes/women/", page=2)))
