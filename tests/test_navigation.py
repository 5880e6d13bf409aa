"""Finding one's way: regions index, breadcrumbs, themes without cases, organization list."""

from __future__ import annotations

import re

import pytest

from cases.models import Organization

from .factories import make_case, make_organization
from .test_views import get, links, main, query, text

pytestmark = pytest.mark.django_db


def breadcrumb(html: str) -> str:
    """The breadcrumb trail's HTML."""
    (trail,) = re.findall(r'<nav aria-label="Breadcrumb".*?</nav>', html, flags=re.S)
    return trail


def organization_names(html: str) -> list[str]:
    """The organizations of the list page, in order."""
    table = html.split('<table class="listing">', 1)[1].split("</table>", 1)[0]
    return [text(name) for name in re.findall(r"<td><a [^>]*>(.*?)</a></td>", table)]


# --- regions ---


def test_regions_index_lists_every_region_with_its_case_count(client, imported):
    html = get(client, "/regions/")
    page = text(main(html))

    assert "<h1>Regions</h1>" in html
    assert "Europe 1 case" in page
    assert "Africa 0 cases" in page
    assert ("/regions/europe/", "Europe") in links(html)


def test_regions_without_published_cases_are_not_links(client, imported):
    make_case("A draft in Africa", region="africa", status="draft")

    assert not [href for href, _ in links(get(client, "/regions/")) if href == "/regions/africa/"]


def test_every_page_links_the_regions_index_in_its_main_navigation(client, imported):
    html = get(client, "/")
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]

    assert ("/regions/", "Regions") in links(nav)


# --- breadcrumbs ---


@pytest.mark.parametrize(
    ("url", "parent", "current"),
    [
        ("/themes/social-cohesion/", ("/themes/", "Themes"), "Social Cohesion"),
        ("/regions/europe/", ("/regions/", "Regions"), "Europe"),
        (
            "/organizations/ayuntamiento-de-barcelona/",
            ("/organizations/", "Organizations"),
            "Ayuntamiento de Barcelona",
        ),
    ],
)
def test_pages_about_one_thing_show_a_breadcrumb_trail(client, imported, url, parent, current):
    trail = breadcrumb(get(client, url))

    assert links(trail) == [("/", "Home"), parent]
    assert f'<span aria-current="page">{current}</span>' in trail


# --- themes without cases ---


def test_themes_without_published_cases_are_not_links(client, imported):
    html = get(client, "/themes/")

    assert "Indicators and Measures of Impact 0 cases" in text(html)
    assert not [href for href, _ in links(html) if "indicators" in href]


def test_a_theme_without_cases_says_so_and_offers_a_way_on(client, imported):
    html = main(get(client, "/themes/indicators-and-measures-of-impact/"))

    assert "No published case has this theme yet." in text(html)
    assert ("/themes/", "See all themes") in links(html)
    assert ("/cases/", "browse every case") in links(html)
    assert "filter and search them" not in text(html)


# --- the organization list ---


def test_organization_list_searches_names_without_accents(client, imported):
    html = get(client, "/organizations/", q="peru")

    assert organization_names(html) == [
        "Asociación de Municipalidades en Red del Perú (MUNIRED PERU)"
    ]
    assert "1 organization" in text(html)
    assert 'value="peru"' in html


def test_organization_list_search_keeps_the_chosen_kinds_and_sort(client, imported):
    html = get(client, "/organizations/", kind="sse-organization", sort="cases")
    form = html.split('<form class="searchbar"', 1)[1].split("</form>", 1)[0]

    assert '<input type="hidden" name="kind" value="sse-organization">' in form
    assert '<input type="hidden" name="sort" value="cases">' in form


def test_organization_list_sorts_by_number_of_cases(client, imported):
    labcoop = Organization.objects.get(name="Cooperativa Labcoop, SCCL")
    make_case("Another Labcoop case", organizations=[labcoop])

    html = get(client, "/organizations/", sort="cases")

    assert organization_names(html)[0] == "Cooperativa Labcoop, SCCL"
    assert '<strong aria-current="true">Most cases</strong>' in html
    assert ("?sort=name", "Name") in links(html)


def test_a_kind_link_adds_the_kind_and_a_chosen_one_removes_it(client, imported):
    listed = links(get(client, "/organizations/", q="de", kind="sse-organization"))
    chosen = [href for href, label in listed if label.startswith("SSE organization")]
    other = [href for href, label in listed if label.startswith("Government")]

    assert query(chosen[0]) == {"q": ["de"]}
    assert query(other[0]) == {
        "q": ["de"],
        "kind": ["government-and-public-agency", "sse-organization"],
    }


def test_a_chosen_kind_says_so_to_screen_readers(client, imported):
    page = text(get(client, "/organizations/", kind="sse-organization"))

    assert "SSE organization (chosen: select to remove) 3" in page
    assert "Government and public agency 1" in page


def test_organization_list_with_nothing_found_says_what_found_nothing(client, imported):
    html = get(client, "/organizations/", q="zzyzx")

    assert organization_names(html) == []
    assert "No organization matches “zzyzx”." in text(main(html))
    assert ("/organizations/", "See every organization") in links(html)


@pytest.fixture
def sixty_organizations(db):
    organizations = [make_organization(f"Cooperative {n:02d}") for n in range(60)]
    make_case("Sixty", organizations=organizations)


def test_organization_list_shows_50_a_page_and_keeps_the_filters_across_pages(
    client, sixty_organizations
):
    first = get(client, "/organizations/", q="cooperative", kind="sse-organization")
    (next_page,) = [href for href, label in links(first) if label.startswith("Next")]
    second = get(client, "/organizations/" + next_page)

    assert len(organization_names(first)) == 50
    assert query(next_page) == {"q": ["cooperative"], "kind": ["sse-organization"], "page": ["2"]}
    assert organization_names(second) == [f"Cooperative {n}" for n in range(50, 60)]


def test_organization_list_page_past_the_end_is_404(client, sixty_organizations):
    get(client, "/organizations/", status=404, page="3")


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"kind": "cartel"}, "cartel"),
        ({"sort": "bogus"}, "Unknown sort “bogus”: use name or cases."),
        ({"page": "abc"}, "The page must be a whole number"),
        ({"page": "0"}, "page"),
        ({"q": "a" * 201}, "200 characters"),
        ({"q": "waste\x00"}, "Null characters are not allowed"),
    ],
)
def test_bad_query_on_organization_list_is_400_saying_what_was_wrong(
    client, imported, params, says
):
    assert says in text(main(get(client, "/organizations/", status=400, **params)))


def test_the_same_organization_query_in_another_spelling_is_the_same_page(
    client, imported, django_assert_num_queries
):
    first = client.get("/organizations/?kind=sse-organization&q=labcoop")
    with django_assert_num_queries(1):  # the catalogue version; the page comes from the cache
        again = client.get("/organizations/?q=%20labcoop&kind=SSE-Organization&page=1&x=y")

    assert again.content == first.content
