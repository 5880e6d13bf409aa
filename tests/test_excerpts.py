"""Search results show why a case matched: an excerpt with the matched words in <mark>."""

from __future__ import annotations

import re

import pytest

from cases.excerpts import (
    DESCRIPTION_LENGTH,
    case_excerpt,
    excerpt,
    folded_with_positions,
    matched_spans,
)
from cases.models import Case, fold, search_terms

from .factories import make_case, make_contact, make_organization
from .test_views import get


def marked(text: str, query: str, limit: int = 500) -> str:
    """The excerpt of text for a search, as HTML."""
    html, _ = excerpt(text, matched_spans(text, search_terms(query)), limit)
    return str(html)


def listed(case: Case) -> Case:
    """The case as a listing loads it: with its organizations and contacts."""
    return Case.objects.for_listing().get(pk=case.pk)


def visible(html: str) -> str:
    """The excerpt's text, without its marks."""
    return re.sub(r"</?mark>", "", html)


# --- finding the words ---


@pytest.mark.parametrize(
    "text",
    [
        "Elisenda Vegué Gisbert",
        "Straße, Cæsar & Łódź — ½ ﬁne",
        "e\u0301te\u0301 (decomposed accents)",
        "Ελληνικά · Русский · 日本語",
        "snake_case and  two  spaces",
    ],
)
def test_folding_one_character_at_a_time_gives_the_words_fold_gives(text):
    folded, positions = folded_with_positions(text)

    assert folded.split() == fold(text).split()
    assert len(positions) == len(folded)


def test_an_unaccented_search_marks_the_accented_word_as_written():
    assert marked("Contact: Elisenda Vegué Gisbert", "vegue") == (
        "Contact: Elisenda <mark>Vegué</mark> Gisbert"
    )


def test_an_accented_search_marks_the_unaccented_word():
    assert marked("The Vegue family", "Vegué") == "The <mark>Vegue</mark> family"


def test_a_decomposed_accent_stays_inside_the_mark():
    assert marked("Vegue\u0301 Gisbert", "vegue") == "<mark>Vegue\u0301</mark> Gisbert"


def test_letters_without_a_decomposition_match_their_plain_spelling():
    assert marked("Cooperativa Łódź and Cæsar", "lodz caesar") == (
        "Cooperativa <mark>Łódź</mark> and <mark>Cæsar</mark>"
    )


def test_search_is_case_insensitive():
    assert marked("WASTE pickers", "waste") == "<mark>WASTE</mark> pickers"


def test_a_word_of_three_letters_or_more_marks_words_it_starts():
    assert marked("A cooperative of co-op members", "coop") == (
        "A <mark>cooperative</mark> of co-op members"
    )


def test_a_word_of_one_or_two_letters_marks_only_whole_words():
    assert marked("A cooperative of co-op members in Peru", "co in") == (
        "A cooperative of <mark>co</mark>-op members <mark>in</mark> Peru"
    )


def test_a_word_inside_another_is_not_marked():
    assert marked("Recycling and bicycles", "cycl") == "Recycling and bicycles"


def test_words_are_marked_in_the_order_of_the_text_not_of_the_search():
    assert marked("Waste pickers and cooperative banks", "bank waste") == (
        "<mark>Waste</mark> pickers and cooperative <mark>banks</mark>"
    )


def test_an_underscore_a_no_break_space_or_an_accented_letter_do_not_hide_a_word():
    assert marked("coop_members met the\u00a0bankers in São Paulo", "memb bank paulo sao") == (
        "coop_<mark>members</mark> met the\u00a0<mark>bankers</mark> in <mark>São</mark>"
        " <mark>Paulo</mark>"
    )


# --- escaping and length ---


def test_markup_in_the_text_is_escaped_around_the_marks():
    html = marked("<script>alert('x')</script> waste <b>pickers</b>", "waste pickers")

    assert "<script>" not in html
    assert "<b>" not in html
    assert html == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark>waste</mark> "
        "&lt;b&gt;<mark>pickers</mark>&lt;/b&gt;"
    )


def test_markup_in_the_search_marks_nothing_and_is_not_echoed():
    assert marked("A <script> tag", "<script>") == "A &lt;<mark>script</mark>&gt; tag"


def test_a_long_text_is_cut_between_words_around_the_match():
    text = " ".join(f"word{i}" for i in range(200)) + " Vegué " + "tail " * 200
    html = marked(text, "vegue", limit=80)

    assert len(visible(html)) <= 80 + 2  # the two ellipses
    assert html.startswith("…word") and html.endswith("…")
    assert "<mark>Vegué</mark>" in html
    assert all(re.fullmatch(r"word\d+|tail|<mark>Vegué</mark>", w) for w in html[1:-1].split())


def test_the_window_shows_the_most_different_words():
    text = "waste " + "filler " * 60 + "waste pickers " + "filler " * 60
    html = marked(text, "waste pickers", limit=60)

    assert "<mark>waste</mark> <mark>pickers</mark>" in html


def test_a_text_without_a_match_shows_its_beginning():
    text = "First words of a long description. " * 20
    html = marked(text, "vegue", limit=60)

    assert html.startswith("First words of a long description.")
    assert html.endswith("…")
    assert len(html) <= 61


def test_a_short_text_is_shown_whole_without_ellipses():
    assert marked("Waste pickers of Pune", "pune") == "Waste pickers of <mark>Pune</mark>"


# --- what a result card shows ---


@pytest.mark.django_db
def test_a_match_in_a_contact_name_shows_the_contact():
    council = make_organization("Ayuntamiento de Barcelona")
    vegue = make_contact(council, "Elisenda Vegué Gisbert", role="Chief of Operations")
    case = make_case(organizations=[(council, vegue)])

    lines = case_excerpt(listed(case), search_terms("vegue"))

    assert lines[1] == (
        "Contact",
        "Elisenda <mark>Vegué</mark> Gisbert, Chief of Operations",
    )


@pytest.mark.django_db
def test_an_organization_is_shown_only_for_words_the_description_does_not_show():
    coop = make_organization("Cooperativa Labcoop")
    case = make_case(description="A cooperative of waste pickers.", organizations=[coop])

    assert len(case_excerpt(listed(case), search_terms("waste"))) == 1
    assert case_excerpt(listed(case), search_terms("waste labcoop"))[1] == (
        "Organization",
        "Cooperativa <mark>Labcoop</mark>",
    )


@pytest.mark.django_db
def test_a_card_shows_at_most_two_organization_or_contact_lines():
    names = ["Alpha", "Beta", "Gamma", "Delta"]
    case = make_case(organizations=[make_organization(f"{name} coop") for name in names])

    lines = case_excerpt(listed(case), search_terms("alpha beta gamma delta"))

    assert lines[1:] == [
        ("Organization", "<mark>Alpha</mark> coop"),
        ("Organization", "<mark>Beta</mark> coop"),
    ]


@pytest.mark.django_db
def test_a_long_description_shows_an_excerpt_of_bounded_length():
    case = make_case(description="Filler words here. " * 300 + "The recycling plant.")

    ((_, html),) = case_excerpt(listed(case), search_terms("recycling"))

    assert "<mark>recycling</mark>" in html
    assert len(visible(html)) <= DESCRIPTION_LENGTH + 2


@pytest.mark.django_db
def test_search_results_show_the_matched_contact_highlighted(client, imported):
    html = get(client, "/cases/", q="vegue")

    assert "Contact:</span> Elisenda <mark>Vegué</mark> Gisbert" in html


@pytest.mark.django_db
def test_a_matched_contact_label_keeps_the_interface_language_in_a_card_of_another(client):
    council = make_organization("Ayuntamiento de Barcelona")
    vegue = make_contact(council, "Elisenda Vegué Gisbert")
    make_case("Tejedoras de Oaxaca", language="es", organizations=[(council, vegue)])

    html = client.get("/fr/cases/", {"q": "vegue"}).content.decode()

    assert '<p class="excerpt excerpt-person"><span class="excerpt-label" lang="fr">' in html
    assert "</span> Elisenda <mark>Vegué</mark> Gisbert</p>" in html


@pytest.mark.django_db
def test_search_results_mark_the_matched_words_of_the_description(client, imported):
    html = get(client, "/cases/", q="alencop")

    assert "<mark>Alencop</mark> is a social cooperative" in html


@pytest.mark.django_db
def test_cards_without_a_search_show_the_description_unmarked(client, imported):
    html = get(client, "/cases/")

    assert "<mark>" not in html
    assert "Alencop is a social cooperative" in html


@pytest.mark.django_db
def test_markup_in_a_matching_description_is_shown_as_text(client):
    make_case(description="<script>alert('x')</script> recycling <img src=x onerror=alert(1)>")

    html = get(client, "/cases/", q="recycling script")

    assert "<script>alert" not in html
    assert "<img" not in html
    assert "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)" in html
