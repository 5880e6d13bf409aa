"""Duplicate warnings in the admin and merging organizations: what editors see and get."""

import pytest
from django.contrib.auth.models import Permission
from django.core import serializers
from django.urls import reverse
from reversion.models import Revision, Version

from cases import merging
from cases.importer import import_cases
from cases.merging import merge_organizations
from cases.models import (
    Case,
    CaseOrganization,
    Contact,
    Organization,
    OrganizationAlias,
    likely_same,
    name_key,
    trigram_similarity,
)

from .factories import DESCRIPTION, make_case, make_contact, make_organization

ORGANIZATION_ADD = "/admin/cases/organization/add/"
ORGANIZATION_LIST = "/admin/cases/organization/"
CASE_ADD = "/admin/cases/case/add/"


def change_url(obj) -> str:
    return reverse(f"admin:cases_{obj._meta.model_name}_change", args=[obj.pk])


# --- what counts as the same name ---


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Cooperativa Labcoop, S.C.C.L.", "COOPERATIVA LABCOOP"),
        ("Fábrica de Sueños S.A.", "fabrica de suenos"),
        ("Green Homes Ltd.", "Green Homes"),
        ("Green Homes Limited", "Green-Homes"),
        ("Traperos de Emaús S. Coop.", "Traperos de Emaus"),
        ("Banco Palmas S.A. de C.V.", "Banco Palmas"),
        ("Øresund Coop.", "Oresund"),
    ],
)
def test_accents_case_punctuation_and_legal_forms_do_not_count(one, other):
    assert name_key(one) == name_key(other)


def test_a_legal_form_counts_unless_it_ends_the_name():
    assert name_key("Coop Labcoop") == "coop labcoop"
    assert name_key("SA Pobla Recicla") == "sa pobla recicla"


def test_a_name_that_is_only_a_legal_form_keeps_it():
    assert name_key("S.A.") == "sa"
    assert name_key("Coop.") == "coop"


def test_trigram_similarity_is_pg_trgm_similarity():
    # The example of PostgreSQL's pg_trgm documentation: similarity('word', 'two words').
    assert trigram_similarity("word", "two words") == pytest.approx(0.363636, abs=1e-6)
    assert trigram_similarity("labcoop", "labcoop") == 1.0
    assert trigram_similarity("labcoop", "") == 0.0


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("cooperativa labcoop", "cooperativa lab coop"),  # a space
        ("labcoop", "labcop"),  # a letter left out
        ("fair trade", "fare trade"),  # two typos in a longer name
        ("homenet south asia", "homenet southeast asia"),
    ],
)
def test_close_names_are_likely_the_same(one, other):
    assert likely_same(one, other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ajuntament de barcelona", "ajuntament de girona"),
        ("oxfam", "oxfam intermon"),
        ("recycling", "recyclers"),
        ("homenet pakistan", "women in informal employment"),
    ],
)
def test_different_names_are_not(one, other):
    assert not likely_same(one, other)


# --- finding them ---


@pytest.mark.django_db
def test_likely_duplicate_organizations_are_found_in_one_query(django_assert_num_queries):
    labcoop = make_organization("Cooperativa Labcoop SCCL")
    make_organization("Ayuntamiento de Barcelona")
    make_organization("HomeNet Pakistan")
    with django_assert_num_queries(1):
        found = Organization.objects.similar_to("Cooperativa Lab-coop")
    assert found == [labcoop]


@pytest.mark.django_db
def test_the_closest_duplicates_come_first():
    exact = make_organization("Green Homes")
    close = make_organization("Green Homes Trust")
    assert Organization.objects.similar_to("Green Homes Ltd") == [exact, close]


@pytest.mark.django_db
def test_a_renamed_organization_is_found_by_its_new_name(editor_client, admin_form_data):
    labcoop = make_organization("Cooperativa Labcoop")
    response = editor_client.get(change_url(labcoop))
    editor_client.post(change_url(labcoop), admin_form_data(response, name="Recicla Girona"))
    assert Organization.objects.similar_to("Recicla Girona SCCL") == [
        Organization.objects.get(name="Recicla Girona")
    ]
    assert Organization.objects.similar_to("Cooperativa Labcoop") == []


@pytest.mark.django_db
def test_likely_duplicate_cases_are_found_by_title(django_assert_num_queries):
    case = make_case("Waste pickers and the city of Pune")
    make_case("Home-based workers organise in Lahore")
    with django_assert_num_queries(1):
        found = Case.objects.similar_to("Waste Pickers and the City of Pune!")
    assert found == [case]


# --- the warning in the admin forms ---


def organization_data(name: str, **changes) -> dict:
    data = {
        "name": name,
        "slug": "new-organization",
        "kind": Organization.Kind.SSE_ORGANIZATION,
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    return data | changes


@pytest.mark.django_db
def test_adding_a_likely_duplicate_organization_warns_with_a_link_and_saves_nothing(
    editor_client,
):
    labcoop = make_organization("Cooperativa Labcoop")
    response = editor_client.post(ORGANIZATION_ADD, organization_data("Cooperativa Lab-Coop SL"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This looks like a duplicate of" in page
    assert f'<a href="{change_url(labcoop)}" target="_blank" rel="noopener">' in page
    assert 'type="checkbox" name="save_anyway"' in page
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_save_anyway_saves_the_organization_with_its_name_key(editor_client):
    make_organization("Cooperativa Labcoop")
    data = organization_data("Cooperativa Lab-Coop SL", save_anyway="on")
    response = editor_client.post(ORGANIZATION_ADD, data)
    assert response.status_code == 302
    assert (
        Organization.objects.get(name="Cooperativa Lab-Coop SL").name_key == "cooperativa lab coop"
    )


@pytest.mark.django_db
def test_the_save_anyway_box_is_hidden_until_there_is_a_warning(editor_client):
    page = editor_client.get(ORGANIZATION_ADD).content.decode()
    assert 'type="hidden" name="save_anyway"' in page
    assert 'type="checkbox" name="save_anyway"' not in page


@pytest.mark.django_db
def test_a_distinct_new_organization_saves_without_a_warning(editor_client):
    make_organization("Cooperativa Labcoop")
    response = editor_client.post(ORGANIZATION_ADD, organization_data("HomeNet Pakistan"))
    assert response.status_code == 302
    assert Organization.objects.filter(name="HomeNet Pakistan").exists()


@pytest.mark.django_db
def test_renaming_an_organization_like_another_warns(editor_client, admin_form_data):
    labcoop = make_organization("Cooperativa Labcoop")
    other = make_organization("Recicla Girona")
    data = admin_form_data(editor_client.get(change_url(other)), name="Labcoop Cooperativa")
    response = editor_client.post(change_url(other), data)
    assert response.status_code == 200
    assert f'<a href="{change_url(labcoop)}"' in response.content.decode()
    assert Organization.objects.get(pk=other.pk).name == "Recicla Girona"


@pytest.mark.django_db
def test_an_organization_is_no_duplicate_of_itself(editor_client, admin_form_data):
    labcoop = make_organization("Cooperativa Labcoop")
    data = admin_form_data(editor_client.get(change_url(labcoop)), name="Cooperativa Labcoop SCCL")
    assert editor_client.post(change_url(labcoop), data).status_code == 302
    assert Organization.objects.get(pk=labcoop.pk).name == "Cooperativa Labcoop SCCL"


@pytest.mark.django_db
def test_editing_other_fields_of_an_organization_with_a_close_name_does_not_warn(
    editor_client, admin_form_data
):
    make_organization("Green Homes")
    trust = make_organization("Green Homes Trust")
    data = admin_form_data(editor_client.get(change_url(trust)), website="https://gh.example")
    assert editor_client.post(change_url(trust), data).status_code == 302


def case_data(title: str, **changes) -> dict:
    data = {
        "title": title,
        "slug": "new-case",
        "status": Case.Status.DRAFT,
        "description": DESCRIPTION,
        "caseorganization_set-TOTAL_FORMS": "0",
        "caseorganization_set-INITIAL_FORMS": "0",
    }
    return data | changes


@pytest.mark.django_db
def test_adding_a_likely_duplicate_case_warns_until_saved_anyway(editor_client):
    case = make_case("Waste pickers and the city of Pune")
    response = editor_client.post(CASE_ADD, case_data("Waste Pickers & the City of Pune"))
    assert response.status_code == 200
    assert f'<a href="{change_url(case)}"' in response.content.decode()
    assert Case.objects.count() == 1

    data = case_data("Waste Pickers & the City of Pune", save_anyway="on")
    assert editor_client.post(CASE_ADD, data).status_code == 302
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_renaming_a_case_like_another_warns(editor_client, admin_form_data):
    pune = make_case("Waste pickers and the city of Pune")
    other = make_case("Home-based workers organise in Lahore")
    data = admin_form_data(
        editor_client.get(change_url(other)), title="Waste pickers in the city of Pune"
    )
    response = editor_client.post(change_url(other), data)
    assert response.status_code == 200
    assert f'<a href="{change_url(pune)}"' in response.content.decode()


@pytest.mark.django_db
def test_a_case_is_no_duplicate_of_itself(editor_client, admin_form_data):
    case = make_case("Waste pickers and the city of Pune", status=Case.Status.DRAFT)
    data = admin_form_data(
        editor_client.get(change_url(case)), title="Waste pickers and the city of Pune."
    )
    assert editor_client.post(change_url(case), data).status_code == 302


# --- merging ---


@pytest.fixture
def pair(db):
    """Two records of one cooperative: the one kept and a duplicate, each with cases."""
    kept = make_organization("Cooperativa Labcoop")
    duplicate = make_organization("Labcoop SCCL")
    duplicate.source_name = "LABCOOP S.C.C.L."
    duplicate.save()
    return kept, duplicate


def test_merging_moves_case_links_and_contacts_to_the_organization_kept(pair, editor):
    kept, duplicate = pair
    ana = make_contact(duplicate, "Ana Ruiz", role="President")
    case = make_case("Recycling in Sant Adrià", organizations=[(duplicate, ana)])

    merge_organizations(kept, duplicate, user=editor)

    assert not Organization.objects.filter(pk=duplicate.pk).exists()
    link = CaseOrganization.objects.get(case=case)
    assert (link.organization, link.contact) == (kept, ana)
    assert list(kept.contacts.values_list("name", flat=True)) == ["Ana Ruiz"]
    assert Case.objects.search("cooperativa labcoop").get() == case


def test_a_case_naming_both_keeps_one_link_with_the_contact(pair, editor):
    kept, duplicate = pair
    ana = make_contact(duplicate, "Ana Ruiz")
    city = make_organization("Ajuntament de Sant Adrià")
    case = make_case(organizations=[city, kept, (duplicate, ana)])

    merge_organizations(kept, duplicate, user=editor)

    links = CaseOrganization.objects.filter(case=case).order_by("position")
    assert [(link.organization, link.contact) for link in links] == [(city, None), (kept, ana)]


def test_a_contact_named_in_both_becomes_the_contact_kept(pair, editor):
    kept, duplicate = pair
    theirs = make_contact(kept, "Ana Ruiz", role="")
    mine = make_contact(duplicate, "Ana Ruiz", role="President", email="ana@labcoop.example")
    case = make_case(organizations=[(duplicate, mine)])

    merge_organizations(kept, duplicate, user=editor)

    assert list(Contact.objects.all()) == [theirs]
    theirs.refresh_from_db()
    assert (theirs.role, theirs.email) == ("President", "ana@labcoop.example")
    assert CaseOrganization.objects.get(case=case).contact == theirs


def test_the_merged_names_become_aliases_of_the_organization_kept(pair, editor):
    kept, duplicate = pair
    OrganizationAlias.objects.create(name="Labcoop Barcelona", organization=duplicate)
    merge_organizations(kept, duplicate, user=editor)
    assert list(kept.aliases.values_list("name", flat=True)) == [
        "LABCOOP S.C.C.L.",
        "Labcoop Barcelona",
        "Labcoop SCCL",
    ]


SEED = f"""Recycling in Sant Adrià

{DESCRIPTION}

Labcoop SCCL

SSE organization

Ms. Ana Ruiz

President
"""


def test_a_later_import_finds_the_organization_kept_by_its_old_name(write_seed, editor):
    import_cases([write_seed(SEED)])
    duplicate = Organization.objects.get(name="Labcoop SCCL")
    kept = make_organization("Cooperativa Labcoop")
    merge_organizations(kept, duplicate, user=editor)

    report = import_cases([write_seed(SEED)])

    assert list(Organization.objects.all()) == [kept]
    assert report.tallies["organizations"].created == 0
    link = CaseOrganization.objects.get()
    assert (link.organization, link.contact.name) == (kept, "Ana Ruiz")
    assert Contact.objects.count() == 1


def test_an_import_naming_an_organization_and_its_alias_links_it_once(write_seed, editor):
    kept = make_organization("Cooperativa Labcoop")
    OrganizationAlias.objects.create(name="Labcoop SCCL", organization=kept)
    both = SEED.replace("President\n", "President\n\nCooperativa Labcoop\n\nSSE organization\n")
    import_cases([write_seed(both)])
    assert list(CaseOrganization.objects.values_list("organization", flat=True)) == [kept.pk]


def snapshot() -> str:
    rows = [
        *Organization.objects.all(),
        *OrganizationAlias.objects.all(),
        *Contact.objects.all(),
        *Case.objects.all(),
        *CaseOrganization.objects.all(),
    ]
    return serializers.serialize("json", rows)


def test_a_merge_failing_midway_leaves_everything_as_before(pair, editor, monkeypatch):
    kept, duplicate = pair
    ana = make_contact(duplicate, "Ana Ruiz")
    make_case(organizations=[kept, (duplicate, ana)])
    before = snapshot()

    def fail(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(merging, "_keep_names", fail)  # after contacts and links moved
    with pytest.raises(RuntimeError):
        merge_organizations(kept, duplicate, user=editor)

    assert snapshot() == before
    assert not Revision.objects.exists()


def test_a_merge_is_one_history_entry_by_the_editor(pair, editor):
    kept, duplicate = pair
    case = make_case(organizations=[duplicate])
    merge_organizations(kept, duplicate, user=editor)

    revision = Revision.objects.get()
    assert revision.user == editor
    assert revision.comment == "Merged “Labcoop SCCL” into “Cooperativa Labcoop”"
    assert Version.objects.get_for_object(kept).get().revision == revision
    assert Version.objects.get_for_object(case).get().revision == revision
    # The deleted organization's last state stays recoverable.
    assert Version.objects.get_deleted(Organization).get().object_repr == "Labcoop SCCL"


# --- the merge action ---


def test_the_merge_action_asks_which_to_keep_then_merges(pair, editor_client):
    kept, duplicate = pair
    make_case(organizations=[duplicate])
    ids = [str(kept.pk), str(duplicate.pk)]
    action = {"action": "merge_selected", "_selected_action": ids}

    page = editor_client.post(ORGANIZATION_LIST, action)
    assert page.status_code == 200
    assert b"Choose the organization to keep" in page.content
    assert Organization.objects.count() == 2

    response = editor_client.post(ORGANIZATION_LIST, action | {"post": "yes", "keep": kept.pk})
    assert response.status_code == 302
    assert response.url == change_url(kept)
    assert list(Organization.objects.all()) == [kept]
    assert CaseOrganization.objects.get().organization == kept


def test_the_merge_page_sends_ids_past_a_thousand_as_written(pair, editor_client):
    # Numbers are grouped on pages ("1,711"); an id read back from a form must not be.
    kept, duplicate = pair
    Organization.objects.filter(pk=duplicate.pk).update(id=12345)
    action = {"action": "merge_selected", "_selected_action": [str(kept.pk), "12345"]}

    page = editor_client.post(ORGANIZATION_LIST, action).content.decode()

    assert '<input type="hidden" name="_selected_action" value="12345">' in page


def test_the_merge_action_needs_exactly_two_organizations(pair, editor_client):
    kept, _ = pair
    action = {"action": "merge_selected", "_selected_action": [kept.pk]}
    response = editor_client.post(ORGANIZATION_LIST, action, follow=True)
    assert b"Select exactly two organizations to merge." in response.content
    assert Organization.objects.count() == 2


def test_merging_needs_permission_to_delete_organizations(pair, client, django_user_model):
    kept, duplicate = pair
    user = django_user_model.objects.create_user("changer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_organization", "change_organization"])
    )
    client.force_login(user)
    assert b"merge_selected" not in client.get(ORGANIZATION_LIST).content

    action = {"action": "merge_selected", "_selected_action": [kept.pk, duplicate.pk]}
    client.post(ORGANIZATION_LIST, action | {"post": "yes", "keep": kept.pk})
    assert Organization.objects.count() == 2


def test_editors_may_merge(pair, editor_client):
    assert b'value="merge_selected"' in editor_client.get(ORGANIZATION_LIST).content
