"""Search: case- and accent-insensitive, over every text field, all words, ranked by title."""

from __future__ import annotations

import pytest

from .factories import ATE, BARCELONA, HOMENET, make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

PLAIN = "Home-based workers organise across the country to win recognition and social protection."


def found(client, q: str, **params) -> list[str]:
    """Titles /cases.json finds for q, in the order it gives them."""
    response = client.get("/cases.json", {"q": q, **params})
    assert response.status_code == 200, response.content
    return [case["title"] for case in response.json()["results"]]


# --- the real seed ---


@pytest.mark.parametrize("q", ["vegue", "Vegué", "VEGUÉ", "vegué", "VEGUE"])
def test_contact_name_is_found_without_its_accent_and_in_any_case(client, imported, q):
    assert found(client, q) == [BARCELONA]


@pytest.mark.parametrize("q", ["asociacion", "Asociación", "ASOCIACIÓN"])
def test_organization_name_is_found_without_its_accent_and_in_any_case(client, imported, q):
    assert found(client, q) == [ATE]


def test_search_is_case_insensitive(client, imported):
    assert found(client, "HOMENET") == [HOMENET]
    assert found(client, "homenet") == [HOMENET]


def test_every_word_must_match(client, imported):
    assert found(client, "waste barcelona") == [BARCELONA]
    assert found(client, "waste lima") == [ATE]
    assert found(client, "waste pakistan") == []


def test_words_may_match_different_fields(client, imported):
    # A contact's name and a word of the description.
    assert found(client, "alencop vegue") == [BARCELONA]


def test_punctuation_around_words_is_ignored(client, imported):
    assert found(client, "(MUNIRED,") == [ATE]
    assert found(client, "“vegué”!") == [BARCELONA]


def test_search_results_show_on_the_case_list(client, imported):
    html = client.get("/cases/", {"q": "vegue"}).content.decode()

    assert "1 case" in html
    assert BARCELONA in html
    assert ATE not in html


def test_no_results_show_an_empty_state_message(client, imported):
    response = client.get("/cases/", {"q": "zeppelin"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "0 cases" in html
    assert "No case matches the search <strong>“zeppelin”</strong>." in html


def test_query_of_only_punctuation_lists_every_case(client, imported):
    client.raise_request_exception = False
    response = client.get("/cases/", {"q": "!!"})

    assert response.status_code == 200
    assert "3 cases" in response.content.decode()


def test_query_of_only_punctuation_lists_every_case_as_json(client, imported):
    client.raise_request_exception = False

    assert found(client, "!!") == [BARCELONA, ATE, HOMENET]


def test_query_of_only_punctuation_exports_every_case_as_csv(client, imported):
    response = client.get("/cases.csv", {"q": "!!"})
    lines = b"".join(response.streaming_content).decode().splitlines()

    assert len(lines) == 1 + 3


# --- each field, one at a time ---


def test_search_covers_titles(client):
    make_case("Quokka bakery cooperative", description=PLAIN)
    make_case("Another bakery", description=PLAIN)

    assert found(client, "quokka") == ["Quokka bakery cooperative"]


def test_search_covers_descriptions(client):
    make_case("Market gardens", description=f"{PLAIN} They grow zucchini together.")
    make_case("Another garden", description=PLAIN)

    assert found(client, "zucchini") == ["Market gardens"]


def test_search_covers_organization_names(client):
    make_case("Market gardens", description=PLAIN, organizations=[make_organization("Wombat")])
    make_case("Another garden", description=PLAIN, organizations=[make_organization("Koala")])

    assert found(client, "wombat") == ["Market gardens"]


def test_search_covers_contact_names(client):
    coop = make_organization("Huerta Cooperativa")
    make_case(
        "Market gardens",
        description=PLAIN,
        organizations=[(coop, make_contact(coop, "Xiomara Blanco"))],
    )
    make_case("Another garden", description=PLAIN, organizations=[coop])

    assert found(client, "xiomara") == ["Market gardens"]


def test_search_covers_contact_roles(client):
    coop = make_organization("Huerta Cooperativa")
    make_case(
        "Market gardens",
        description=PLAIN,
        organizations=[(coop, make_contact(coop, "Ana Ruiz", role="Treasurer of the kiln"))],
    )
    make_case("Another garden", description=PLAIN, organizations=[coop])

    assert found(client, "treasurer") == ["Market gardens"]


def test_search_does_not_find_a_contact_not_named_for_the_case(client):
    coop = make_organization("Huerta Cooperativa")
    make_contact(coop, "Xiomara Blanco")
    make_case("Market gardens", description=PLAIN, organizations=[coop])

    assert found(client, "xiomara") == []


# --- ranking ---

IN_TITLE = "Zeta recycling cooperative"
IN_TEXT = "Alpha housing project"


def title_and_text_cases() -> None:
    make_case(IN_TITLE, description=PLAIN)
    make_case(IN_TEXT, description=f"{PLAIN} Its members started recycling in 2011.")


def test_relevance_puts_title_matches_first(client):
    title_and_text_cases()

    assert found(client, "recycling", sort="relevance") == [IN_TITLE, IN_TEXT]


def test_searching_sorts_by_relevance_by_default(client):
    title_and_text_cases()

    assert found(client, "recycling") == [IN_TITLE, IN_TEXT]


def test_searching_can_still_sort_by_title(client):
    title_and_text_cases()

    assert found(client, "recycling", sort="title") == [IN_TEXT, IN_TITLE]


def test_relevance_is_the_selected_sort_when_searching(client, imported):
    html = client.get("/cases/", {"q": "waste"}).content.decode()

    assert '<option value="relevance" selected>' in html


def test_a_misspelt_search_suggests_the_closest_known_words(client, imported):
    response = client.get("/cases/", {"q": "coperative barcelna", "theme": "social-cohesion"})
    html = response.content.decode()

    assert "0 cases" in html
    assert "Did you mean" in html
    assert response.context["suggestion"] == "cooperative barcelona"
    followed = client.get(f"/cases/?{response.context['suggestion_query']}")
    assert "1 case" in followed.content.decode()
    assert followed.context["paginator"].count == 1


def test_no_suggestion_when_the_search_finds_cases_or_nothing_is_close(client, imported):
    assert "suggestion" not in client.get("/cases/", {"q": "cooperative"}).context
    assert "suggestion" not in client.get("/cases/", {"q": "zzyzx"}).context
