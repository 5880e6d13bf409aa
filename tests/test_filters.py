"""CaseFilter without HTTP: OR within a parameter, AND across, facets, chips, sorting."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from cases.filters import CaseFilter
from cases.models import Case, Organization, Theme

from .factories import ATE, BARCELONA, HOMENET, make_case, make_organization

pytestmark = pytest.mark.django_db

ALL = [BARCELONA, ATE, HOMENET]


def valid_filter(data) -> CaseFilter:
    casefilter = CaseFilter(data, queryset=Case.objects.published())
    assert casefilter.is_valid(), casefilter.errors
    return casefilter


def titles(data) -> list[str]:
    return [case.title for case in valid_filter(data).qs]


def counts(data) -> dict[str, dict[str, int]]:
    """Each facet's options and their counts."""
    return {
        facet.name: {option.value: option.count for option in facet.options}
        for facet in valid_filter(data).facets()
    }


def chips(data) -> dict[str, dict[str, list[str]]]:
    """Each chip's label and the query its remove link leaves."""
    return {chip.label: parse_qs(chip.remove_query) for chip in valid_filter(data).chips()}


# --- filtering ---


def test_theme_filter_keeps_cases_with_that_theme(imported):
    assert titles({"theme": ["women"]}) == [HOMENET]


def test_values_of_one_parameter_are_ored(imported):
    assert titles({"theme": ["women", "youth"]}) == [ATE, HOMENET]
    assert titles({"region": ["asia", "europe"]}) == [BARCELONA, HOMENET]
    assert titles({"country": ["ES", "PE"]}) == [BARCELONA, ATE]


def test_different_parameters_are_anded(imported):
    assert titles({"theme": ["social-cohesion"], "kind": ["government-and-public-agency"]}) == [
        BARCELONA
    ]
    assert titles({"theme": ["recognizing-the-informal-economy"], "country": ["PK"]}) == [HOMENET]
    assert titles({"theme": ["women"], "region": ["europe"]}) == []


def test_search_is_anded_with_the_filters(imported):
    assert titles({"q": "waste"}) == [BARCELONA, ATE]
    assert titles({"q": "waste", "region": ["latin-america"]}) == [ATE]


def test_kind_filter_lists_a_case_once_whatever_its_number_of_matching_organizations(imported):
    assert titles({"kind": ["sse-organization", "government-and-public-agency"]}) == ALL


def test_slugs_and_codes_match_case_insensitively(imported):
    assert titles({"theme": ["WOMEN"]}) == [HOMENET]
    assert titles({"region": ["Latin-America"]}) == [ATE]
    assert titles({"country": ["es"]}) == [BARCELONA]
    assert titles({"kind": ["Government-And-Public-Agency"]}) == [BARCELONA]
    assert titles({"sort": ["-TITLE"]}) == [HOMENET, ATE, BARCELONA]


def test_surrounding_whitespace_is_ignored(imported):
    assert titles({"theme": [" women "], "country": ["pk\n"]}) == [HOMENET]


def test_empty_values_are_ignored(imported):
    assert titles({"theme": [""], "region": ["  "], "country": [""], "q": "", "sort": ""}) == ALL
    assert titles({"theme": ["", "youth"]}) == [ATE]


def test_unknown_parameter_names_are_ignored(imported):
    assert titles({"colour": ["red"], "utm_source": "newsletter"}) == ALL


def test_the_querydict_of_a_request_works_like_a_dict(imported):
    from django.http import QueryDict

    assert titles(QueryDict("theme=women&theme=youth&sort=-title")) == [HOMENET, ATE]


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        ({"theme": ["atlantis"]}, "theme", "atlantis"),
        ({"theme": ["women", "atlantis"]}, "theme", "atlantis"),
        ({"region": ["antarctica"]}, "region", "antarctica"),
        ({"country": ["XX"]}, "country", "XX"),
        ({"kind": ["cartel"]}, "kind", "cartel"),
        ({"sort": ["bogus"]}, "sort", "bogus"),
        ({"page": ["abc"]}, "page", "whole number"),
        ({"page_size": ["0"]}, "page_size", "1"),
        ({"q": "x" * 201}, "q", "200"),
    ],
)
def test_unknown_or_malformed_value_makes_the_filter_invalid(imported, data, field, value):
    casefilter = CaseFilter(data, queryset=Case.objects.published())

    assert not casefilter.is_valid()
    assert value in " ".join(casefilter.errors[field])


# --- facets ---


def test_a_theme_added_to_the_vocabulary_is_accepted_at_once(imported):
    assert valid_filter({"theme": ["women"]})
    Theme.objects.create(name="Care work", slug="care-work")

    assert valid_filter({"theme": ["care-work"]})
    Theme.objects.filter(slug="care-work").delete()
    assert not CaseFilter({"theme": ["care-work"]}, queryset=Case.objects.published()).is_valid()


def test_facet_counts_without_filters_count_every_published_case(imported):
    facets = counts({})

    assert facets["theme"] == {
        "indicators-and-measures-of-impact": 0,
        "recognizing-the-informal-economy": 3,
        "social-cohesion": 2,
        "women": 1,
        "youth": 1,
    }
    assert facets["region"]["europe"] == 1
    assert facets["country"] == {"ES": 1, "PE": 1, "PK": 1}
    assert facets["kind"]["sse-organization"] == 3
    assert facets["kind"]["government-and-public-agency"] == 1


def test_facet_counts_ignore_their_own_selection(imported):
    facets = counts({"theme": ["women"]})

    assert facets["theme"] == {
        "indicators-and-measures-of-impact": 0,
        "recognizing-the-informal-economy": 3,
        "social-cohesion": 2,
        "women": 1,
        "youth": 1,
    }


def test_facet_counts_honour_the_other_selections(imported):
    facets = counts({"theme": ["women"]})

    assert facets["region"] == {
        "africa": 0,
        "asia": 1,
        "europe": 0,
        "latin-america": 0,
        "middle-east": 0,
        "north-america": 0,
        "oceania": 0,
    }
    assert facets["country"] == {"ES": 0, "PE": 0, "PK": 1}
    assert facets["kind"]["sse-organization"] == 1
    assert facets["kind"]["government-and-public-agency"] == 0


def test_facet_counts_with_two_facets_selected(imported):
    facets = counts({"theme": ["women"], "region": ["europe"]})

    # Themes count the cases in Europe; regions count the cases about women.
    assert facets["theme"]["social-cohesion"] == 1
    assert facets["theme"]["women"] == 0
    assert facets["region"]["europe"] == 0
    assert facets["region"]["asia"] == 1
    # Countries and kinds honour both selections: nothing is left.
    assert set(facets["country"].values()) == {0}
    assert set(facets["kind"].values()) == {0}


def test_facet_counts_honour_the_search(imported):
    facets = counts({"q": "waste"})

    assert facets["theme"]["women"] == 0
    assert facets["theme"]["social-cohesion"] == 2
    assert facets["country"] == {"ES": 1, "PE": 1, "PK": 0}


def test_facet_counts_count_a_case_once_per_option(imported):
    one, two = make_organization("Cooperative One"), make_organization("Cooperative Two")
    make_case("Two cooperatives together", organizations=[one, two], themes=["women"])

    facets = counts({})

    assert facets["kind"]["sse-organization"] == 4
    assert facets["theme"]["women"] == 2


def test_zero_count_options_are_listed_not_hidden(imported):
    facets = valid_filter({"theme": ["youth"]}).facets()
    options = {facet.name: [option.value for option in facet.options] for facet in facets}

    assert "indicators-and-measures-of-impact" in options["theme"]
    assert options["region"] == [
        "africa",
        "asia",
        "europe",
        "latin-america",
        "middle-east",
        "north-america",
        "oceania",
    ]
    assert options["kind"] == [value for value, _ in Organization.Kind.choices]


def test_country_options_are_labelled_by_name(imported):
    (country,) = [facet for facet in valid_filter({}).facets() if facet.name == "country"]

    assert [(o.value, o.label) for o in country.options] == [
        ("PK", "Pakistan"),
        ("PE", "Peru"),
        ("ES", "Spain"),
    ]


def test_a_selected_country_without_cases_is_still_an_option(imported):
    (country,) = [f for f in valid_filter({"country": ["fr"]}).facets() if f.name == "country"]
    france = {o.value: o for o in country.options}["FR"]

    assert france.label == "France"
    assert france.count == 0
    assert france.selected


def test_selected_options_are_marked_selected(imported):
    facets = valid_filter({"theme": ["women", "youth"], "kind": ["other"]}).facets()
    selected = {f.name: [o.value for o in f.options if o.selected] for f in facets}

    assert selected == {"theme": ["women", "youth"], "region": [], "country": [], "kind": ["other"]}


# --- chips ---


def test_each_value_is_a_chip_whose_removal_drops_only_that_value(imported):
    assert chips({"theme": ["women", "youth"], "region": ["asia"]}) == {
        "Theme: Women": {"theme": ["youth"], "region": ["asia"]},
        "Theme: Youth": {"theme": ["women"], "region": ["asia"]},
        "Region: Asia": {"theme": ["women", "youth"]},
    }


def test_chips_name_countries_kinds_and_the_search(imported):
    assert chips({"q": "waste", "country": ["es"], "kind": ["government-and-public-agency"]}) == {
        "Search: “waste”": {"country": ["ES"], "kind": ["government-and-public-agency"]},
        "Country: Spain": {"q": ["waste"], "kind": ["government-and-public-agency"]},
        "Organization kind: Government and public agency": {"q": ["waste"], "country": ["ES"]},
    }


def test_removing_a_chip_goes_back_to_the_first_page_and_keeps_the_sort(imported):
    (remove,) = chips({"theme": ["women"], "page": ["2"], "sort": ["-title"]}).values()

    assert remove == {"sort": ["-title"]}


def test_no_filters_no_chips(imported):
    assert chips({"sort": ["-title"], "page": ["1"]}) == {}


# --- sorting ---


def test_default_sort_is_by_title(imported):
    assert titles({}) == [BARCELONA, ATE, HOMENET]


def test_sort_by_title_descending(imported):
    assert titles({"sort": ["-title"]}) == [HOMENET, ATE, BARCELONA]


def test_sort_by_title(imported):
    assert titles({"sort": ["title"]}) == [BARCELONA, ATE, HOMENET]


def test_sort_recent_puts_the_last_updated_first(imported):
    for year, title in [(2021, BARCELONA), (2023, HOMENET), (2022, ATE)]:
        Case.objects.filter(title=title).update(updated_at=datetime(year, 1, 1, tzinfo=UTC))

    assert titles({"sort": ["recent"]}) == [HOMENET, ATE, BARCELONA]


def test_relevance_without_a_search_sorts_by_title(imported):
    assert titles({"sort": ["relevance"]}) == [BARCELONA, ATE, HOMENET]
    assert valid_filter({"sort": ["relevance"]}).qs.count() == 3


def test_searching_sorts_by_relevance_unless_told_otherwise(imported):
    assert valid_filter({"q": "waste"}).sort == "relevance"
    assert valid_filter({"q": "waste", "sort": ["-title"]}).sort == "-title"
    assert titles({"q": "waste", "sort": ["-title"]}) == [ATE, BARCELONA]
    assert valid_filter({}).sort == "title"
