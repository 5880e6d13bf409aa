"""History: every admin save and import is a revision (who, when, what changed), revertible."""

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from cases.history import version_diffs
from cases.importer import import_cases
from cases.models import Case, CaseOrganization, Contact

from .factories import DESCRIPTION, make_case, make_organization

pytestmark = pytest.mark.django_db

ONE_CASE = f"""Home-based workers organise

{DESCRIPTION}

HomeNet Pakistan

SSE organization

Ms. Sara Khan

General secretary
"""


def change_url(obj) -> str:
    return reverse(f"admin:cases_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj) -> str:
    return reverse(f"admin:cases_{obj._meta.model_name}_history", args=[obj.pk])


def save_in_admin(client, admin_form_data, obj, **changes):
    """Post the object's change form with changes, as an editor would; the response."""
    url = change_url(obj)
    response = client.post(url, admin_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def changes(entry) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in entry.changes}


def test_an_admin_edit_is_a_revision_by_the_editor_naming_the_field_old_and_new(
    editor_client, editor, admin_form_data
):
    case = make_case("Waste pickers of the harbour", city="Lima")
    save_in_admin(editor_client, admin_form_data, case, city="Callao")
    save_in_admin(editor_client, admin_form_data, case, title="Waste pickers of Callao")

    latest, first = version_diffs(case)
    assert latest.revision.user == editor
    assert changes(latest) == {"title": ("Waste pickers of the harbour", "Waste pickers of Callao")}
    assert first.first and first.revision.user == editor
    page = editor_client.get(history_url(case)).content.decode()
    assert "Waste pickers of the harbour → Waste pickers of Callao" in page
    assert "editor" in page


def test_an_inline_organization_change_is_in_the_same_revision_as_the_case(
    editor_client, admin_form_data
):
    labcoop = make_organization("Cooperativa Labcoop")
    case = make_case("Waste pickers of the harbour", organizations=[labcoop])
    city_hall = make_organization("Ayuntamiento de Lima")
    save_in_admin(editor_client, admin_form_data, case, city="Lima")
    added = {
        "caseorganization_set-TOTAL_FORMS": "2",
        "caseorganization_set-1-position": "1",
        "caseorganization_set-1-organization": str(city_hall.pk),
        "caseorganization_set-1-case": str(case.pk),
    }
    save_in_admin(editor_client, admin_form_data, case, **added)

    latest = version_diffs(case)[0]
    in_revision = {version.object_repr for version in latest.revision.version_set.all()}
    assert in_revision == {
        "Waste pickers of the harbour",
        "Waste pickers of the harbour – Cooperativa Labcoop",
        "Waste pickers of the harbour – Ayuntamiento de Lima",
    }
    assert changes(latest) == {
        "organizations": ("Cooperativa Labcoop", "Cooperativa Labcoop, Ayuntamiento de Lima")
    }


def test_reverting_from_the_admin_restores_the_title(editor_client, admin_form_data):
    case = make_case("Waste pickers of the harbour")
    save_in_admin(editor_client, admin_form_data, case, city="Lima")
    save_in_admin(editor_client, admin_form_data, case, title="A title regretted")
    old = version_diffs(case)[1].version
    url = reverse("admin:cases_case_revision", args=[case.pk, old.pk])

    form = editor_client.get(url)
    assert 'value="Waste pickers of the harbour"' in form.content.decode()
    assert Case.objects.get(pk=case.pk).title == "A title regretted"  # showing changes nothing
    response = editor_client.post(url, admin_form_data(form))

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).title == "Waste pickers of the harbour"
    latest = version_diffs(case)[0]
    assert latest.revision.get_comment().startswith("Reverted to previous version")
    assert changes(latest)["title"] == ("A title regretted", "Waste pickers of the harbour")


def test_an_import_makes_one_revision_per_written_record_labelled_with_the_file(write_seed):
    path = write_seed(ONE_CASE, "seed-cases.txt")
    import_cases([path])
    assert Revision.objects.count() == 3  # the case, its organization, its contact
    assert set(Revision.objects.values_list("comment", flat=True)) == {
        "Imported from seed-cases.txt"
    }
    case = Case.objects.get()
    assert Version.objects.get_for_object(case).count() == 1
    link = CaseOrganization.objects.get()
    assert Version.objects.get_for_object(link).get().revision.version_set.count() == 2

    import_cases([path])  # unchanged: no revision
    assert Revision.objects.count() == 3

    fixed = write_seed(ONE_CASE.replace("General secretary", "Chair"), "seed-cases.txt")
    report = import_cases([fixed])
    # The contact, and the case whose search text names the contact's role.
    assert [report.tallies[e].updated for e in ("organizations", "contacts", "cases")] == [0, 1, 1]
    assert Revision.objects.count() == 5
    contact = Contact.objects.get()
    latest = version_diffs(contact)[0]
    assert latest.revision.comment == "Imported from seed-cases.txt"
    assert changes(latest) == {"role": ("General secretary", "Chair")}


def test_a_dry_run_records_no_history(write_seed):
    import_cases([write_seed(ONE_CASE)], dry_run=True)
    assert not Revision.objects.exists()
    assert not Version.objects.exists()


def test_the_history_pages_are_for_staff_only(editor_client, admin_form_data):
    organization = make_organization("Cooperativa Labcoop")
    save_in_admin(editor_client, admin_form_data, organization, website="https://labcoop.coop")
    version = Version.objects.get_for_object(organization).get()
    revision_url = reverse("admin:cases_organization_revision", args=[organization.pk, version.pk])
    for url in [history_url(organization), revision_url]:
        assert editor_client.get(url).status_code == 200
        response = Client().get(url)  # a visitor, signed out
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_publishing_from_the_case_list_is_a_revision_by_the_editor(editor_client, editor):
    draft = make_case("A draft to publish", status=Case.Status.DRAFT)
    published = make_case("Already published")
    response = editor_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, published.pk]},
    )
    assert response.status_code == 302
    [entry] = Version.objects.get_for_object(draft)
    assert entry.revision.user == editor
    assert entry.revision.comment == "Published"
    assert entry.field_dict["status"] == Case.Status.PUBLISHED
    assert not Version.objects.get_for_object(published).exists()


def test_an_import_keeps_each_version_as_reversion_serializes_it(seed_path, editorial_path):
    import_cases([seed_path], editorial=editorial_path)
    versions = Version.objects.all()
    # The cases, organizations and contacts, and the links and contacts they follow.
    assert versions.count() == 3 + 4 + 3 + 4 + 3
    for version in versions:
        row = version.object
        fields = [f.name for f in row._meta.local_fields + row._meta.local_many_to_many]
        fields = [name for name in fields if name != "search_vector"]
        assert version.serialized_data == serializers.serialize("json", [row], fields=fields)
        assert version.object_repr == str(row)
