"""OrganizationFilter: the organization list's search, kinds, sort and page, without HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from cases.filters import OrganizationFilter
from cases.models import Organization

from .factories import make_case, make_organization

pytestmark = pytest.mark.django_db

GOVERNMENT = Organization.Kind.GOVERNMENT_AND_PUBLIC_AGENCY
ACADEMIC = Organization.Kind.ACADEMIC_AND_RESEARCH_INSTITUTION


def filtered(data) -> OrganizationFilter:
    return OrganizationFilter(data, queryset=Organization.objects.public())


def valid(data) -> OrganizationFilter:
    filterset = filtered(data)
    assert filterset.is_valid(), filterset.errors
    return filterset


def names(data) -> list[str]:
    return [organization.name for organization in valid(data).qs]


@pytest.fixture
def organizations():
    """Five public organizations (one in two cases) and one that no published case names."""
    labcoop = make_organization("Cooperativa Labcoop, SCCL", country="ES")
    council = make_organization("Ayuntamiento de Barcelona", GOVERNMENT)
    peru = make_organization("Asociación de Municipalidades del Perú", GOVERNMENT)
    desarrollo = make_organization("Instituto Desarrollo Local", ACADEMIC)
    homenet = make_organization("HomeNet Pakistan")
    make_case("Barcelona", organizations=[labcoop, council])
    make_case("Lima", organizations=[peru, desarrollo, labcoop])
    make_case("Pakistan", organizations=[homenet])
    make_case("Draft only", organizations=[make_organization("Hidden")], status="draft")


def test_without_parameters_every_public_organization_is_listed_by_name(organizations):
    assert names({}) == [
        "Asociación de Municipalidades del Perú",
        "Ayuntamiento de Barcelona",
        "Cooperativa Labcoop, SCCL",
        "HomeNet Pakistan",
        "Instituto Desarrollo Local",
    ]


@pytest.mark.parametrize("q", ["peru", "PERÚ", "asociacion", "municipalidades peru"])
def test_search_matches_names_without_accents_in_any_case(organizations, q):
    assert names({"q": q}) == ["Asociación de Municipalidades del Perú"]


def test_search_words_match_word_starts(organizations):
    assert names({"q": "coop"}) == ["Cooperativa Labcoop, SCCL"]
    assert names({"q": "operativa"}) == []


def test_every_search_word_must_match(organizations):
    assert names({"q": "ayuntamiento barcelona"}) == ["Ayuntamiento de Barcelona"]
    assert names({"q": "ayuntamiento lima"}) == []


def test_short_search_words_match_whole_words_only(organizations):
    # "de" is a word of two names; "Desarrollo" starts with it but is not it.
    assert names({"q": "de"}) == [
        "Asociación de Municipalidades del Perú",
        "Ayuntamiento de Barcelona",
    ]


def test_kinds_are_ored(organizations):
    assert names({"kind": [GOVERNMENT, ACADEMIC]}) == [
        "Asociación de Municipalidades del Perú",
        "Ayuntamiento de Barcelona",
        "Instituto Desarrollo Local",
    ]


def test_search_and_kind_are_anded(organizations):
    assert names({"q": "de", "kind": GOVERNMENT}) == [
        "Asociación de Municipalidades del Perú",
        "Ayuntamiento de Barcelona",
    ]
    assert names({"q": "labcoop", "kind": GOVERNMENT}) == []


def test_kinds_match_case_insensitively(organizations):
    assert names({"kind": " Academic-And-Research-Institution "}) == ["Instituto Desarrollo Local"]


def test_sort_by_cases_puts_the_most_named_first_then_by_name(organizations):
    assert names({"sort": "cases"}) == [
        "Cooperativa Labcoop, SCCL",
        "Asociación de Municipalidades del Perú",
        "Ayuntamiento de Barcelona",
        "HomeNet Pakistan",
        "Instituto Desarrollo Local",
    ]


def test_each_organization_counts_its_published_cases(organizations):
    counts = {o.name: o.case_count for o in valid({"sort": "cases"}).qs}

    assert counts["Cooperativa Labcoop, SCCL"] == 2
    assert counts["HomeNet Pakistan"] == 1


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"kind": "cartel"}, "kind", "Unknown organization kind “cartel”."),
        ({"kind": ["other", "cartel"]}, "kind", "cartel"),
        ({"sort": "bogus"}, "sort", "Unknown sort “bogus”: use name or cases."),
        ({"page": "abc"}, "page", "The page must be a whole number"),
        ({"page": "0"}, "page", "greater than or equal to 1"),
        ({"q": "a" * 201}, "q", "at most 200 characters"),
        ({"q": "waste\x00"}, "q", "Null characters are not allowed."),
        ({"kind": [f"kind-{n}" for n in range(21)]}, "kind", "At most 20 values, not 21."),
    ],
)
def test_unknown_or_malformed_values_make_the_filter_invalid(organizations, data, field, says):
    filterset = filtered(data)

    assert not filterset.is_valid()
    assert says in " ".join(filterset.errors[field])


def test_the_canonical_query_is_the_same_for_the_same_list(organizations):
    messy = valid(
        {
            "q": "  ayuntamiento   barcelona ",
            "kind": ["Other", GOVERNMENT, "other", ""],
            "sort": "CASES",
            "page": "2",
            "utm_source": "mail",
        }
    )

    assert messy.canonical_query().urlencode() == (
        "q=ayuntamiento+barcelona&kind=government-and-public-agency&kind=other&sort=cases&page=2"
    )


def test_the_canonical_query_leaves_out_the_defaults(organizations):
    assert valid({"q": " ", "sort": "name", "page": "1"}).canonical_query().urlencode() == ""


def test_kind_counts_follow_the_search_and_ignore_the_chosen_kinds(organizations):
    options = {o.value: o for o in valid({"q": "de", "kind": ACADEMIC}).kinds()}

    assert options[GOVERNMENT].count == 2
    assert options[ACADEMIC].count == 0
    assert options[ACADEMIC].selected
    assert not options[GOVERNMENT].selected
    assert options[Organization.Kind.SSE_ORGANIZATION].count == 0


def test_each_kind_links_to_the_list_with_it_added_or_removed(organizations):
    options = {o.value: o for o in valid({"q": "de", "kind": ACADEMIC, "page": "2"}).kinds()}

    assert parse_qs(options[GOVERNMENT].query) == {"q": ["de"], "kind": [ACADEMIC, GOVERNMENT]}
    assert parse_qs(options[ACADEMIC].query) == {"q": ["de"]}


@pytest.mark.parametrize(
    ("query", "queries", "listed"),
    [
        ("", 3, "5 organizations"),
        (f"?kind={GOVERNMENT}", 3, "2 organizations"),
        (f"?q=local&kind={GOVERNMENT}&kind={ACADEMIC}", 4, "1 organization"),  # names scanned
        ("?sort=cases&page=1", 3, "5 organizations"),
    ],
)
def test_the_organization_list_counts_from_its_kind_counts(
    client, organizations, django_assert_num_queries, query, queries, listed
):
    """The catalogue version, the kind counts (which give the total too) and the page: the
    page's cases are counted for its own rows, however many organizations there are."""
    with django_assert_num_queries(queries):
        response = client.get(f"/organizations/{query}")
    assert response.status_code == 200
    assert f">{listed}</h2>" in response.content.decode()
