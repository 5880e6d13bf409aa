"""Completeness: which facts a case lacks, counted in the database and in Python alike, shown
to editors in the admin and to the public as a discreet note."""

import pytest

from cases.models import COMPLETENESS_CHECKS, MIN_DESCRIPTION_LENGTH, Case

from .factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

CASE_LIST = "/admin/cases/case/"
# Accented letters take two bytes in UTF-8: a length counted in bytes would pass this one.
SHORT = ("Coopé " * 40)[: MIN_DESCRIPTION_LENGTH - 1]
LONG = ("Coopé " * 40)[:MIN_DESCRIPTION_LENGTH]


def complete_case(title: str = "Complete case", **changes) -> Case:
    """A case with every fact, except those `changes` blank out."""
    coop = make_organization(f"{title} cooperative")
    facts = {
        "description": LONG,
        "themes": ["women"],
        "region": "europe",
        "country": "ES",
        "city": "Barcelona",
        "organizations": [(coop, make_contact(coop, f"Ana Ruiz of {title}"))],
    }
    return make_case(title, **(facts | changes))


def cases_missing_each_fact() -> dict[str, Case]:
    """One case per check lacking just that fact (and a contact when it lacks organizations)."""
    coop = make_organization("Uncontacted cooperative")
    blank = {
        "themes": {"themes": []},
        "region": {"region": None},
        "country": {"country": ""},
        "city": {"city": ""},
        "organizations": {"organizations": []},
        "contact": {"organizations": [(coop, None)]},
        "description": {"description": SHORT},
    }
    return {key: complete_case(f"Without {key}", **changes) for key, changes in blank.items()}


def test_every_check_has_a_case_that_lacks_it():
    assert set(cases_missing_each_fact()) == {check.key for check in COMPLETENESS_CHECKS}


def test_database_and_python_agree_on_what_each_case_lacks():
    lacking = {case.pk: key for key, case in cases_missing_each_fact().items()}
    complete = complete_case()
    empty = make_case("Nothing yet", description="Short.")
    every = {check.key for check in COMPLETENESS_CHECKS}

    counted = Case.objects.with_completeness().for_listing()

    assert len(counted) == 9
    for case in counted:
        present = case.present_facts()
        assert case.completeness == len(present), case.title
        if case.pk in lacking:
            expected = every - {lacking[case.pk]}
            if lacking[case.pk] == "organizations":
                expected -= {"contact"}
            assert present == expected, case.title
    assert {c.pk: c.completeness for c in counted if c.pk in (complete.pk, empty.pk)} == {
        complete.pk: len(COMPLETENESS_CHECKS),
        empty.pk: 0,
    }


def test_description_of_the_minimum_length_counts_in_characters_not_bytes():
    long_case = complete_case("Long enough")
    short_case = complete_case("Just short", description=SHORT)

    scores = dict(Case.objects.with_completeness().values_list("pk", "completeness"))

    assert scores[long_case.pk] == len(COMPLETENESS_CHECKS)
    assert scores[short_case.pk] == len(COMPLETENESS_CHECKS) - 1


# --- admin ---


def test_admin_case_list_shows_completeness(editor_client):
    complete_case()
    complete_case("No city", city="")

    response = editor_client.get(CASE_LIST)

    rows = {case.title: case.completeness for case in response.context["cl"].result_list}
    assert rows == {"Complete case": 7, "No city": 6}
    html = response.content.decode()
    assert ">Completeness<" in html
    assert ">complete<" in html
    assert ">6/7<" in html


def test_admin_case_list_sorts_by_completeness(editor_client):
    complete_case("A complete case")
    complete_case("B without city", city="")
    complete_case("C without city or region", city="", region=None)
    column = editor_client.get(CASE_LIST).context["cl"].list_display.index("completeness")

    ascending = editor_client.get(CASE_LIST, {"o": str(column)}).context["cl"].result_list
    descending = editor_client.get(CASE_LIST, {"o": f"-{column}"}).context["cl"].result_list

    assert [c.title for c in ascending] == [
        "C without city or region",
        "B without city",
        "A complete case",
    ]
    assert [c.title for c in descending] == [c.title for c in reversed(ascending)]


def test_admin_completeness_filter_offers_incomplete_first(editor_client):
    html = editor_client.get(CASE_LIST).content.decode()

    assert html.index("?completeness=incomplete") < html.index("?completeness=complete")


@pytest.mark.parametrize(
    ("value", "titles"),
    [("incomplete", {"No contact", "Nothing yet"}), ("complete", {"Complete case"})],
)
def test_admin_completeness_filter_keeps_matching_cases(editor_client, value, titles):
    complete_case()
    complete_case("No contact", organizations=[make_organization("Quiet cooperative")])
    make_case("Nothing yet", description="Short.")

    response = editor_client.get(CASE_LIST, {"completeness": value})

    assert {case.title for case in response.context["cl"].result_list} == titles


def test_admin_case_edit_page_shows_the_checklist(editor_client):
    case = complete_case("No contact", organizations=[make_organization("Quiet cooperative")])

    html = editor_client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()

    assert "✓ At least one organization<br>" in html
    assert "✗ A contact for one of its organizations (missing)<br>" in html
    assert f"✓ A description of at least {MIN_DESCRIPTION_LENGTH} characters" in html


def test_admin_add_case_page_explains_the_checklist_comes_after_saving(editor_client):
    assert (
        "Shown once the case is saved."
        in editor_client.get("/admin/cases/case/add/").content.decode()
    )


# --- public case page ---


def test_case_page_says_what_an_incomplete_case_lacks(client):
    case = complete_case(
        "Quiet case", city="", organizations=[make_organization("Quiet cooperative")]
    )

    html = client.get(case.get_absolute_url()).content.decode()

    assert '<p class="completeness-note">Incomplete: no city yet, no contact yet.</p>' in html


def test_case_page_of_a_complete_case_has_no_completeness_note(client):
    html = client.get(complete_case().get_absolute_url()).content.decode()

    assert "completeness-note" not in html
    assert "Incomplete" not in html


def test_what_a_listed_case_lacks_needs_no_further_query(django_assert_num_queries):
    complete_case("Quiet case", city="", organizations=[make_organization("Quiet cooperative")])
    case = Case.objects.for_listing().get()

    with django_assert_num_queries(0):
        assert case.missing_facts() == ["no city yet", "no contact yet"]
