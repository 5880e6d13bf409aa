"""A search costs the same whatever it contains: words once, at most ten, short words whole."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.filters import CaseFilter
from cases.models import Case

from .factories import make_case

pytestmark = pytest.mark.django_db

PLAIN = "Home-based workers organise across the country to win recognition and social protection."
# Ten words of PLAIN, none of one or two letters.
TEN_WORDS = "home based workers organise across country win recognition social protection"


def found(client, q: str) -> list[str]:
    """Titles /cases.json finds for q."""
    response = client.get("/cases.json", {"q": q})
    assert response.status_code == 200, response.content
    return [case["title"] for case in response.json()["results"]]


def text_matches(client, url: str, **params) -> int:
    """How many SQL queries of one request run the full-text match."""
    marker = "to_tsquery" if connection.vendor == "postgresql" else " MATCH "
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return sum(marker in query["sql"] for query in queries)


# --- which words are used ---


def test_repeated_words_count_once(client):
    make_case("Quokka bakery", description=PLAIN)
    make_case("Quokka garden", description=PLAIN)
    # 21 words, 11 different ones: only "zeppelin" is past the tenth.
    q = "quokka " * 10 + "bakery home based workers organise across country win recognition"

    response = client.get("/cases/", {"q": f"{q} zeppelin"})

    assert [case.title for case in response.context["cases"]] == ["Quokka bakery"]
    assert "Ignored words: zeppelin;" in response.content.decode()


def test_the_eleventh_word_is_ignored_and_the_page_names_it(client):
    make_case("Quokka bakery", description=PLAIN)

    html = client.get("/cases/", {"q": f"{TEN_WORDS} zeppelin airship"}).content.decode()

    assert "1 case" in html
    assert "Ignored words: zeppelin, airship; searched for the first 10." in html
    assert found(client, f"{TEN_WORDS} zeppelin") == ["Quokka bakery"]
    assert found(client, f"zeppelin {TEN_WORDS}") == []


def test_ten_words_are_all_used_and_nothing_is_said_ignored(client):
    make_case("Quokka bakery", description=PLAIN)

    html = client.get("/cases/", {"q": TEN_WORDS}).content.decode()

    assert "1 case" in html
    assert "Ignored words" not in html
    assert found(client, TEN_WORDS.replace("home", "zeppelin")) == []


def test_short_words_match_whole_words_only(client):
    make_case("Bakery cooperative", description=PLAIN)
    make_case("Housing co-op of Lima", description=PLAIN)

    assert found(client, "co") == ["Housing co-op of Lima"]
    assert found(client, "CO op") == ["Housing co-op of Lima"]
    assert found(client, "li") == []


def test_words_of_three_letters_still_match_word_starts(client):
    make_case("Bakery cooperative", description=PLAIN)
    make_case("Housing co-op of Lima", description=PLAIN)

    assert found(client, "coo") == ["Bakery cooperative"]
    assert found(client, "lim") == ["Housing co-op of Lima"]


def test_a_short_word_in_the_title_ranks_first(client):
    make_case("Alpha housing", description=f"{PLAIN} Its members run a co-op shop.")
    make_case("Zeta co-op", description=PLAIN)

    assert found(client, "co") == ["Zeta co-op", "Alpha housing"]


def test_canonical_search_words_share_one_facet_cache_entry(imported):
    def facet_key(q: str) -> str:
        casefilter = CaseFilter({"q": q, "theme": ["women"]}, queryset=Case.objects.published())
        assert casefilter.is_valid(), casefilter.errors
        return casefilter.facet_key()

    assert facet_key("Waste waste WASTE") == facet_key("waste")
    assert facet_key(f"{TEN_WORDS} zeppelin") == facet_key(TEN_WORDS)
    assert facet_key("waste lima") != facet_key("waste")


# --- what a search costs ---


def test_a_hundred_repeated_letters_cost_what_one_letter_costs(client, django_assert_num_queries):
    for n in range(5):
        make_case(f"Bakery {n}")
    with CaptureQueriesContext(connection) as one_word:
        client.get("/cases/", {"q": "bakery"})
    cache.clear()
    with CaptureQueriesContext(connection) as one_letter:
        client.get("/cases/", {"q": "a"})
    cache.clear()

    with django_assert_num_queries(len(one_word)) as hundred:
        response = client.get("/cases/", {"q": "a " * 100})

    assert response.status_code == 200
    assert response.context["paginator"].count == 5
    assert [query["sql"] for query in hundred] == [query["sql"] for query in one_letter]


@pytest.mark.parametrize("url", ["/cases/", "/cases.json", "/cases.csv"])
def test_the_text_match_runs_once_per_request(client, imported, url):
    assert text_matches(client, url, q="waste cooperative") == 1


def test_the_text_match_runs_once_with_filters_and_facets(client, imported):
    params = {"q": "waste", "theme": "social-cohesion", "kind": "sse-organization"}

    assert text_matches(client, "/cases/", **params) == 1
