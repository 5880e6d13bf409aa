"""The organizations inline of a case: contacts named with their organization, refused on
their row when they belong to another."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import CaseOrganization

from .factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = {"app_label": "cases", "model_name": "caseorganization", "field_name": "contact"}


@pytest.fixture
def two_organizations():
    labcoop = make_organization("Cooperativa Labcoop")
    council = make_organization("Ayuntamiento de Barcelona", "government-and-public-agency")
    rojo = make_contact(labcoop, "Guillermo Rojo", honorific="Mr.")
    vegue = make_contact(council, "Elisenda Vegué Gisbert", honorific="Ms.")
    return labcoop, council, rojo, vegue


def contact_search(client, term: str) -> list[dict]:
    url = reverse("admin:cases_contact_autocomplete")
    response = client.get(url, {**AUTOCOMPLETE, "term": term})
    assert response.status_code == 200
    return response.json()["results"]


def test_contact_autocomplete_names_each_contacts_organization(editor_client, two_organizations):
    labcoop, council, rojo, vegue = two_organizations

    assert contact_search(editor_client, "") == [
        {"id": str(vegue.pk), "text": f"Ms. Elisenda Vegué Gisbert — {council.name}",
         "organization": str(council.pk)},
        {"id": str(rojo.pk), "text": f"Mr. Guillermo Rojo — {labcoop.name}",
         "organization": str(labcoop.pk)},
    ]  # fmt: skip


def test_contact_autocomplete_searches_contact_and_organization_names(
    editor_client, two_organizations
):
    assert [r["text"] for r in contact_search(editor_client, "labcoop")] == [
        "Mr. Guillermo Rojo — Cooperativa Labcoop"
    ]


def test_contact_autocomplete_needs_a_staff_login(client, two_organizations):
    url = reverse("admin:cases_contact_autocomplete")

    assert client.get(url, {**AUTOCOMPLETE, "term": ""}).status_code == 302


def test_contact_autocomplete_queries_do_not_grow_with_the_contacts(
    editor_client, two_organizations, django_assert_num_queries
):
    for n in range(10):
        make_contact(make_organization(f"Organization {n}"), f"Contact {n}")

    # session, user, two for permissions, the count, the contacts with their organizations
    with django_assert_num_queries(6):
        assert len(contact_search(editor_client, "")) == 12


def test_the_chosen_contact_is_shown_with_its_organization(editor_client, two_organizations):
    labcoop, _, rojo, _ = two_organizations
    case = make_case(organizations=[(labcoop, rojo)])

    html = editor_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    assert re.search(
        rf'<option value="{rojo.pk}" selected>Mr. Guillermo Rojo — Cooperativa Labcoop</option>',
        html,
    )


def test_a_contact_of_another_organization_is_refused_on_its_row(
    editor_client, admin_form_data, two_organizations
):
    labcoop, _, rojo, vegue = two_organizations
    case = make_case(organizations=[(labcoop, rojo)])
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = admin_form_data(editor_client.get(url))
    data["caseorganization_set-0-contact"] = str(vegue.pk)

    response = editor_client.post(url, data)

    assert response.status_code == 200
    (row,) = response.context["inline_admin_formsets"][0].formset.forms
    assert row.errors == {"contact": ["This contact belongs to another organization."]}
    html = response.content.decode()
    cell = html.split('<td class="field-contact">', 1)[1].split("</td>", 1)[0]
    assert "This contact belongs to another organization." in cell
    assert CaseOrganization.objects.get(case=case).contact == rojo
