"""Every public page, the list page's facets, chips and pagination, bad input, query counts."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertInHTML

from cases.models import Case, Organization

from .factories import (
    ATE,
    BARCELONA,
    HOMENET,
    make_case,
    make_contact,
    make_organization,
    many_cases,
)

pytestmark = pytest.mark.django_db


# --- reading pages as a visitor does ---


class _Page(HTMLParser):
    """The start tags (with attributes) and the links (href, text) of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.links: list[tuple[str, str]] = []
        self._link: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "a":
            self._link = [attrs.get("href", ""), ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None


def get(client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.status_code)
    return response.content.decode()


def text(html: str) -> str:
    """What a reader sees: the page's text with tags dropped and whitespace collapsed."""
    html = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def in_order(haystack: str, *parts: str) -> bool:
    """Whether every part occurs in haystack, each after the one before."""
    at = 0
    for part in parts:
        at = haystack.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def main(html: str) -> str:
    """The page's main content, without the site header and footer."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def case_titles(html: str) -> list[str]:
    """Titles of the case cards on a page, in order."""
    found = re.findall(r'<h3 class="case-title">(.*?)</h3>', html, flags=re.S)
    return [text(title) for title in found]


def links(html: str) -> list[tuple[str, str]]:
    return _Page(html).links


def checkbox(html: str, name: str, value: str) -> dict:
    """The attributes of the filter checkbox name=value."""
    (attrs,) = [
        attrs
        for tag, attrs in _Page(html).tags
        if tag == "input" and attrs.get("name") == name and attrs.get("value") == value
    ]
    return attrs


def link_with_rel(html: str, rel: str) -> str:
    (href,) = [a["href"] for tag, a in _Page(html).tags if tag == "a" and a.get("rel") == rel]
    return href


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def slug_of(title: str) -> str:
    return Case.objects.get(title=title).slug


# --- home ---


def test_home_shows_counts_of_published_cases_organizations_and_countries(client, imported):
    page = text(main(get(client, "/")))

    assert in_order(page, "Cases 3", "Organizations 4", "Countries 3")


def test_home_lists_every_theme_and_region_with_its_case_count(client, imported):
    html = main(get(client, "/"))
    page = text(html)

    for theme in [
        "Indicators and Measures of Impact 0",
        "Recognizing the Informal Economy 3",
        "Social Cohesion 2",
        "Women 1",
        "Youth 1",
    ]:
        assert theme in page
    for region in ["Africa 0", "Asia 1", "Europe 1", "Latin America 1", "North America 0"]:
        assert region in page
    assert ("/cases/?theme=women", "Women") in links(html)
    assert ("/cases/?region=latin-america", "Latin America") in links(html)


def test_home_lists_recently_updated_cases_newest_first(client, imported):
    now = Case.objects.get(title=ATE).updated_at
    for years_back, title in enumerate([HOMENET, ATE, BARCELONA]):
        Case.objects.filter(title=title).update(updated_at=now.replace(year=2020 - years_back))

    assert case_titles(get(client, "/")) == [HOMENET, ATE, BARCELONA]


def test_home_has_a_search_box_that_searches_cases(client, imported):
    tags = _Page(main(get(client, "/"))).tags

    forms = [attrs for tag, attrs in tags if tag == "form"]
    assert [form["action"] for form in forms] == ["/cases/"]
    assert ("input", "q") in [(tag, attrs.get("name")) for tag, attrs in tags]


# --- /cases/ ---


def test_case_list_shows_every_published_case_by_title_with_the_total(client, imported):
    html = get(client, "/cases/")

    assert "3 cases" in text(html)
    assert case_titles(html) == [BARCELONA, ATE, HOMENET]


def test_case_list_shows_a_single_case_in_the_singular(client, imported):
    assert "1 case " in text(get(client, "/cases/", theme="women"))


def test_case_list_filters_by_every_facet(client, imported):
    assert case_titles(get(client, "/cases/", theme="youth")) == [ATE]
    assert case_titles(get(client, "/cases/", region="asia")) == [HOMENET]
    assert case_titles(get(client, "/cases/", country="ES")) == [BARCELONA]
    assert case_titles(get(client, "/cases/", kind="government-and-public-agency")) == [BARCELONA]


def test_case_list_shows_facet_counts_next_to_each_option(client, imported):
    html = get(client, "/cases/", theme="women")

    # Themes ignore their own selection; other facets honour it.
    assertInHTML('<label for="f-theme-youth">Youth <span class="count">1</span></label>', html)
    assertInHTML('<label for="f-region-europe">Europe <span class="count">0</span></label>', html)
    assertInHTML('<label for="f-region-asia">Asia <span class="count">1</span></label>', html)


def test_zero_count_option_is_shown_disabled_not_hidden(client, imported):
    html = get(client, "/cases/")

    assert "disabled" in checkbox(html, "theme", "indicators-and-measures-of-impact")
    assert "disabled" in checkbox(html, "region", "africa")
    assert "disabled" in checkbox(html, "kind", "private-sector")
    assert "disabled" not in checkbox(html, "theme", "women")
    assert "disabled" not in checkbox(html, "region", "asia")


def test_selected_option_without_matches_stays_checked_and_enabled(client, imported):
    html = get(client, "/cases/", theme="women", region="europe")

    europe = checkbox(html, "region", "europe")
    assert "checked" in europe
    assert "disabled" not in europe
    assert "No case matches the filters Theme: Women and Region: Europe" in text(html)


def test_selected_options_are_checked_whatever_case_the_url_used(client, imported):
    html = get(client, "/cases/", theme="WOMEN", country="pk")

    assert "checked" in checkbox(html, "theme", "women")
    assert "checked" in checkbox(html, "country", "PK")
    assert "checked" not in checkbox(html, "theme", "youth")


def test_chip_remove_link_drops_exactly_that_value(client, imported):
    html = get(client, "/cases/", theme=["women", "youth"], region="asia")
    chips = dict((label, href) for href, label in links(html))

    remove_women = chips["Theme: Women × (remove)"]
    assert query(remove_women) == {"theme": ["youth"], "region": ["asia"]}
    after = get(client, "/cases/" + remove_women)
    assert "checked" not in checkbox(after, "theme", "women")
    assert "checked" in checkbox(after, "theme", "youth")
    assert "checked" in checkbox(after, "region", "asia")


def test_chips_include_the_search_and_a_clear_all_link(client, imported):
    html = get(client, "/cases/", q="recycling", theme="youth")
    chips = dict((label, href) for href, label in links(html))

    assert query(chips["Search: “recycling” × (remove)"]) == {"theme": ["youth"]}
    assert chips["Clear all"] == "/cases/"


def test_no_chips_without_filters(client, imported):
    assert "Clear all" not in text(get(client, "/cases/"))


def test_sort_select_offers_relevance_only_when_searching(client, imported):
    def sort_options(html):
        return [a["value"] for tag, a in _Page(html).tags if tag == "option"]

    assert sort_options(get(client, "/cases/")) == ["title", "-title", "recent"]
    assert sort_options(get(client, "/cases/", q="waste")) == [
        "relevance",
        "title",
        "-title",
        "recent",
    ]


def test_case_list_sorts_by_title_descending(client, imported):
    assert case_titles(get(client, "/cases/", sort="-title")) == [HOMENET, ATE, BARCELONA]


def test_case_list_links_to_json_and_csv_of_the_same_filters(client, imported):
    hrefs = [href for href, _ in links(get(client, "/cases/", theme="youth"))]

    assert "/cases.json?theme=youth" in hrefs
    assert "/cases.csv?theme=youth" in hrefs


# --- pagination ---


def test_case_list_shows_20_cases_a_page_and_the_total(client):
    many_cases(25)

    first = get(client, "/cases/")
    second = get(client, "/cases/", page=2)

    assert "25 cases" in text(first)
    assert len(case_titles(first)) == 20
    assert len(case_titles(second)) == 5
    assert set(case_titles(first)).isdisjoint(case_titles(second))
    assert "21–25 of 25" in text(second)


def test_pagination_links_keep_the_filters(client):
    many_cases(25)
    many_cases(3, themes=["youth"], prefix="Youth")

    first = get(client, "/cases/", theme="women", q="waste", sort="-title")
    assert query(link_with_rel(first, "next")) == {
        "theme": ["women"],
        "q": ["waste"],
        "sort": ["-title"],
        "page": ["2"],
    }
    second = get(client, "/cases/" + link_with_rel(first, "next"))
    assert len(case_titles(second)) == 5
    assert query(link_with_rel(second, "prev")) == {
        "theme": ["women"],
        "q": ["waste"],
        "sort": ["-title"],
        "page": ["1"],
    }


def test_page_past_the_end_is_404(client):
    many_cases(25)

    get(client, "/cases/", status=404, page=3)


def test_page_two_of_a_single_page_is_404(client, imported):
    get(client, "/cases/", status=404, page=2)


# --- bad input: 400 with a readable message, never 500 ---

WHOLE_PAGE = "page: The page must be a whole number"
PAGE_FROM_1 = "page: Ensure this value is greater than or equal to 1"
BAD_QUERIES = [
    ({"page": "abc"}, WHOLE_PAGE),
    ({"page": "0"}, PAGE_FROM_1),
    ({"page": "-1"}, PAGE_FROM_1),
    ({"page": "1.5"}, WHOLE_PAGE),
    ({"sort": "bogus"}, "sort: Unknown sort “bogus”"),
    ({"theme": "atlantis"}, "theme: Unknown theme “atlantis”"),
    ({"theme": ["women", "atlantis"]}, "theme: Unknown theme “atlantis”"),
    ({"region": "antarctica"}, "region: Unknown region “antarctica”"),
    ({"kind": "cartel"}, "kind: Unknown organization kind “cartel”"),
    ({"country": "XX"}, "country: Unknown country code “XX”"),
    ({"country": "ESP"}, "country: Unknown country code “ESP”"),
    ({"q": "a" * 201}, "q: Ensure this value has at most 200 characters"),
    ({"q": "waste\x00"}, "q: Null characters are not allowed"),
    ({"theme": "wo\x00men"}, "theme: Unknown theme"),
]


@pytest.mark.parametrize(("params", "says"), BAD_QUERIES)
def test_bad_query_on_case_list_is_400_saying_what_was_wrong(client, imported, params, says):
    html = get(client, "/cases/", status=400, **params)

    assert says in text(main(html))


@pytest.mark.parametrize(("params", "says"), BAD_QUERIES)
def test_bad_query_on_json_is_400_json_error(client, imported, params, says):
    response = client.get("/cases.json", params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()
    assert says in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(("params", "says"), BAD_QUERIES)
def test_bad_query_on_csv_is_400_saying_what_was_wrong(client, imported, params, says):
    response = client.get("/cases.csv", params)

    assert response.status_code == 400
    assert says in text(response.content.decode())


@pytest.mark.parametrize("page_size", ["0", "501", "-5", "ten"])
def test_bad_page_size_on_json_is_400(client, imported, page_size):
    response = client.get("/cases.json", {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]
    assert response.json()["error"].startswith("page_size: ")


def test_query_of_200_characters_is_accepted(client, imported):
    get(client, "/cases/", q="a" * 200)


def test_empty_values_and_unknown_parameters_are_ignored(client, imported):
    html = get(
        client,
        "/cases/",
        theme="",
        region=" ",
        country="",
        kind="",
        q="",
        sort="",
        page="",
        utm_source="newsletter",
    )

    assert case_titles(html) == [BARCELONA, ATE, HOMENET]


def test_bad_request_page_is_in_the_site_style(client, imported):
    html = get(client, "/cases/", status=400, theme="atlantis")

    assert ("/organizations/", "Organizations") in links(html)
    assert "That request could not be understood" in text(html)


def test_unknown_kind_on_organizations_is_400(client, imported):
    html = get(client, "/organizations/", status=400, kind="cartel")

    assert "cartel" in text(main(html))


ODD_URLS = [
    "/cases/?page=99999999999999999999999",
    "/cases/?page=%20",
    "/cases/?theme=women&theme=WOMEN&theme=",
    "/cases/?q=%22%27%3B--waste",
    "/cases/?q=caf%C3%A9&sort=relevance",
    "/cases/?q=%EF%BF%BFwaste",
    "/cases/?q=waste%25_%5C",
    "/cases/?country=%C3%A9s",
    "/cases.json?page=2",
    "/cases.json?page_size=500&page=1",
    "/cases/no-such-case.json",
    "/organizations/?kind=SSE-Organization",
    "/organizations/?page=abc",
    "/themes/women/?page=7",
]


@pytest.mark.parametrize("url", ODD_URLS)
def test_odd_urls_never_answer_500(client, imported, url):
    client.raise_request_exception = False

    assert client.get(url).status_code < 500


def test_markup_in_data_and_query_is_shown_as_text(client):
    make_case("<script>alert('title')</script> cooperative")

    listing = get(client, "/cases/")
    searched = get(client, "/cases/", q="<script>alert('q')</script>")

    assert "<script>alert" not in listing + searched
    assert "&lt;script&gt;alert(&#x27;title&#x27;)" in listing
    assert "&lt;script&gt;alert(&#x27;q&#x27;)" in searched


# --- case detail ---


def test_case_detail_has_the_title_as_its_one_h1(client, imported):
    html = get(client, f"/cases/{slug_of(BARCELONA)}/")

    assert html.count("<h1") == 1
    assertInHTML(f"<h1>{BARCELONA}</h1>", html)


def test_case_detail_shows_region_country_city_and_description(client, imported):
    barcelona = text(get(client, f"/cases/{slug_of(BARCELONA)}/"))
    homenet = text(get(client, f"/cases/{slug_of(HOMENET)}/"))

    assert in_order(barcelona, "Region Europe", "Country Spain", "City Barcelona")
    assert "Alencop is a social cooperative created to guarantee decent living" in barcelona
    assert in_order(homenet, "Region Asia", "Country Pakistan", "City Not stated")


def test_case_detail_links_its_themes_and_region(client, imported):
    html = get(client, f"/cases/{slug_of(ATE)}/")
    # The case's own facts, before the related cases (whose cards link their own themes).
    page_links = links(html.split('id="related-heading"')[0])

    assert ("/themes/youth/", "Youth") in page_links
    assert ("/themes/social-cohesion/", "Social Cohesion") in page_links
    assert ("/themes/recognizing-the-informal-economy/", "Recognizing the Informal Economy") in (
        page_links
    )
    assert ("/themes/women/", "Women") not in page_links
    assert ("/regions/latin-america/", "Latin America") in page_links


def test_case_detail_lists_organizations_in_order_with_kind_and_contact(client, imported):
    page = text(get(client, f"/cases/{slug_of(BARCELONA)}/"))

    assert in_order(
        page,
        "Cooperativa Labcoop, SCCL",
        "SSE organization",
        "Mr. Guillermo Rojo",
        "Ayuntamiento de Barcelona",
        "Government and public agency",
        "Ms. Elisenda Vegué Gisbert",
        "Chief of Operations, Other Economies",
        "Related cases",
    )


def test_case_detail_links_each_organization(client, imported):
    page_links = links(get(client, f"/cases/{slug_of(ATE)}/"))

    assert (
        "/organizations/asociacion-de-municipalidades-en-red-del-peru-munired-peru/",
        "Asociación de Municipalidades en Red del Perú (MUNIRED PERU)",
    ) in page_links


def test_case_detail_never_shows_a_contact_email(client):
    coop = make_organization("Cooperativa Email")
    contact = make_contact(coop, "Ana Ruiz", role="Chair", email="ana.private@example.org")
    case = make_case(organizations=[(coop, contact)])

    html = get(client, f"/cases/{case.slug}/")

    assert "Ana Ruiz" in html
    assert "ana.private" not in html


def test_absent_note_appears_only_on_the_case_marked_absent(client, imported):
    note = "The list this case comes from flags it as absent"

    assert note in text(get(client, f"/cases/{slug_of(HOMENET)}/"))
    assert note not in text(get(client, f"/cases/{slug_of(BARCELONA)}/"))
    assert note not in text(get(client, f"/cases/{slug_of(ATE)}/"))


def test_provenance_tells_stated_region_from_editorial_region(client, imported):
    ate = text(get(client, f"/cases/{slug_of(ATE)}/"))
    barcelona = text(get(client, f"/cases/{slug_of(BARCELONA)}/"))
    homenet = text(get(client, f"/cases/{slug_of(HOMENET)}/"))

    assert "Region Stated in the source text" in ate
    assert "Region Added by the editors" in barcelona
    assert "Region Added by the editors" in homenet
    assert "Title Stated in the source text" in barcelona
    assert "Themes Added by the editors" in ate


def test_case_detail_names_its_source_file_and_line(client, imported):
    assert "seed-cases.txt, line 8" in text(get(client, f"/cases/{slug_of(BARCELONA)}/"))
    assert "seed-cases.txt, line 39" in text(get(client, f"/cases/{slug_of(ATE)}/"))


def test_case_detail_lists_cases_sharing_themes_or_organizations(client, imported):
    lonely = make_case("A case of its own", themes=["indicators-and-measures-of-impact"])

    related = case_titles(get(client, f"/cases/{slug_of(HOMENET)}/"))
    unrelated = case_titles(get(client, f"/cases/{lonely.slug}/"))

    assert sorted(related) == sorted([BARCELONA, ATE])
    assert unrelated == []


def test_case_detail_lists_cases_sharing_an_organization_first(client, imported):
    coop = make_organization("Shared cooperative")
    by_org = make_case("Zeta case with the same cooperative", organizations=[coop])
    make_case("Alpha case with the same theme", themes=["indicators-and-measures-of-impact"])
    case = make_case(
        "The case itself", themes=["indicators-and-measures-of-impact"], organizations=[coop]
    )

    assert case_titles(get(client, f"/cases/{case.slug}/")) == [
        by_org.title,
        "Alpha case with the same theme",
    ]


def test_related_cases_rank_by_what_they_share_then_by_title(client, db):
    partner = make_organization("Shared partner")
    case = make_case("The case", themes=["women", "youth"], organizations=[partner])
    for letter in "ABCDEFG":  # more cases sharing one theme than the page shows
        make_case(f"{letter} shares one theme", themes=["women"])
    make_case("Y shares both themes", themes=["women", "youth"])
    make_case("Z shares the partner", organizations=[partner])
    make_case("Zz shares nothing", themes=["social-cohesion"])

    assert case_titles(get(client, f"/cases/{case.slug}/")) == [
        "Y shares both themes",  # 2 themes, tied with the partner (counting twice): by title
        "Z shares the partner",
        "A shares one theme",
        "B shares one theme",
        "C shares one theme",
    ]


def test_case_detail_links_to_its_json(client, imported):
    slug = slug_of(BARCELONA)
    page_links = [href for href, _ in links(get(client, f"/cases/{slug}/"))]

    assert f"/cases/{slug}.json" in page_links
    data = client.get(f"/cases/{slug}.json").json()
    assert data["slug"] == slug
    assert data["title"] == BARCELONA


# --- organizations, themes, regions ---


def test_organization_list_shows_each_organization_with_kind_country_and_case_count(
    client, imported
):
    html = get(client, "/organizations/")

    assert "4 organizations" in text(html)
    assert in_order(
        text(html),
        "Asociación de Municipalidades en Red del Perú (MUNIRED PERU) SSE organization Peru 1",
        "Ayuntamiento de Barcelona Government and public agency Spain 1",
        "Cooperativa Labcoop, SCCL SSE organization Spain 1",
        "HomeNet Pakistan SSE organization Pakistan 1",
    )


def test_organization_list_counts_cases_per_organization(client, imported):
    labcoop = Organization.objects.get(name="Cooperativa Labcoop, SCCL")
    make_case("Another Labcoop case", organizations=[labcoop])

    assert "Cooperativa Labcoop, SCCL SSE organization Spain 2" in text(
        get(client, "/organizations/")
    )


def test_organization_list_filters_by_kind(client, imported):
    html = get(client, "/organizations/", kind="government-and-public-agency")

    assert "1 organization " in text(html)
    assert "Ayuntamiento de Barcelona" in text(html)
    assert "Cooperativa Labcoop" not in text(html)


def test_organization_kind_filter_shows_how_many_organizations_each_kind_has(client, imported):
    page_links = links(get(client, "/organizations/"))

    assert ("?kind=sse-organization", "SSE organization 3") in page_links
    assert ("?kind=government-and-public-agency", "Government and public agency 1") in page_links


def test_organization_kind_without_organizations_is_not_a_link(client, imported):
    html = get(client, "/organizations/")

    assert "Private sector 0" in text(html)
    assert not [href for href, _ in links(html) if "private-sector" in href]


def test_organization_page_lists_its_cases(client, imported):
    html = get(client, "/organizations/ayuntamiento-de-barcelona/")

    assertInHTML("<h1>Ayuntamiento de Barcelona</h1>", html)
    assert "Government and public agency" in text(html)
    assert case_titles(html) == [BARCELONA]


def test_theme_list_shows_every_theme_with_its_case_count(client, imported):
    html = get(client, "/themes/")
    page = text(html)

    assert "Recognizing the Informal Economy 3 cases" in page
    assert "Women 1 case" in page
    assert "Indicators and Measures of Impact 0 cases" in page
    assert "Women's work, leadership and rights" in page
    assert ("/themes/youth/", "Youth") in links(html)


def test_theme_page_lists_its_cases(client, imported):
    html = get(client, "/themes/social-cohesion/")

    assertInHTML("<h1>Social Cohesion</h1>", html)
    assert "2 cases" in text(html)
    assert case_titles(html) == [BARCELONA, ATE]
    assert "/cases/?theme=social-cohesion" in [href for href, _ in links(html)]


def test_region_page_lists_its_cases(client, imported):
    html = get(client, "/regions/latin-america/")

    assertInHTML("<h1>Latin America</h1>", html)
    assert case_titles(html) == [ATE]


def test_region_without_cases_says_so(client, imported):
    html = get(client, "/regions/africa/")

    assert case_titles(html) == []
    assert "No published case in this region yet." in text(html)


@pytest.mark.parametrize(
    "url",
    [
        "/cases/no-such-case/",
        "/organizations/no-such-organization/",
        "/themes/no-such-theme/",
        "/regions/atlantis/",
        "/no-such-page/",
    ],
)
def test_unknown_slug_is_a_404_page_in_the_site_style(client, imported, url):
    html = get(client, url, status=404)

    assert "Page not found" in text(html)
    assert ("/cases/", "Cases") in links(html)
    assert ("/themes/", "Themes") in links(html)


def test_healthz_says_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


# --- query counts ---


def count_queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


PINNED = [
    ("/cases/", {"theme": "women", "q": "waste"}),
    ("/cases.json", {}),
    ("/cases.json", {"theme": "women", "q": "waste"}),
]


@pytest.mark.parametrize(
    ("url", "params", "queries"),
    # Without the catalogue index (tests/test_index.py counts the pages it serves): the
    # version, the vocabulary (3), a search's one text match (the other queries reuse it;
    # PostgreSQL: and the setting that has it read the text index), the facets (4, the page
    # only), the total and the cards (2: the cases; their themes and organizations).
    [(url, params, n) for (url, params), n in zip(PINNED, [12, 7, 8], strict=True)],
)
def test_listing_queries_are_few(client, settings, django_assert_num_queries, url, params, queries):
    settings.CATALOGUE_INDEX = "off"
    many_cases(40)
    queries += bool(params.get("q")) and connection.vendor == "postgresql"

    with django_assert_num_queries(queries):
        assert client.get(url, params).status_code == 200


def test_case_detail_queries_are_few(client, django_assert_num_queries):
    (case, *_) = many_cases(40)

    # The version, the case, its themes and links, the related cases and their cards (2),
    # its collections.
    with django_assert_num_queries(8):
        assert client.get(f"/cases/{case.slug}/").status_code == 200


@pytest.mark.parametrize(("url", "params"), PINNED)
def test_listing_queries_do_not_grow_with_the_number_of_cases(client, url, params):
    many_cases(5)
    with_5 = count_queries(client, url, **params)
    many_cases(35, prefix="More")
    with_40 = count_queries(client, url, **params)

    assert with_40 == with_5


def test_detail_queries_do_not_grow_with_related_cases(client):
    (case, *_) = many_cases(5)
    with_4_related = count_queries(client, f"/cases/{case.slug}/")
    many_cases(35, prefix="More")
    with_39_related = count_queries(client, f"/cases/{case.slug}/")

    assert with_39_related == with_4_related


def test_csv_queries_do_not_grow_with_the_number_of_cases(client):
    many_cases(5)
    with_5 = count_queries(client, "/cases.csv")
    many_cases(35, prefix="More")

    assert count_queries(client, "/cases.csv") == with_5
