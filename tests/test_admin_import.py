"""Importing seed text from the admin: a preview first (nothing written), then the same import."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from cases import admin_import, synthetic
from cases.importer import import_cases
from cases.models import Case, Contact, Organization

from .factories import BARCELONA, DESCRIPTION, make_case

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/cases/case/import/"
ONE_CASE = f"""Home-based workers organise

{DESCRIPTION}

HomeNet Pakistan

SSE organization

Ms. Sara Khan

General secretary
"""


def upload(path_or_name, content: str | bytes | None = None) -> SimpleUploadedFile:
    """An uploaded file: a file on disk, or a name and its content."""
    if content is None:
        return SimpleUploadedFile(path_or_name.name, path_or_name.read_bytes())
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return SimpleUploadedFile(path_or_name, data)


def preview(client, *files, editorial=None, publish=False):
    """Post the upload form; the response (a preview, or the form with its errors)."""
    data = {"files": list(files)}
    if editorial is not None:
        data["editorial"] = editorial
    if publish:
        data["publish"] = "on"
    return client.post(IMPORT_URL, data)


def confirm(client, previewed):
    """Post the confirmation of a preview page, as its button does."""
    return client.post(IMPORT_URL, {"preview": previewed.context["preview"].signed})


def counts(response) -> dict[str, tuple[int, int, int]]:
    tallies = response.context["preview"].report.tallies
    return {e: (t.created, t.updated, t.unchanged) for e, t in tallies.items()}


def form_errors(response) -> dict[str, list[str]]:
    return response.context["form"].errors


def snapshot() -> list:
    return [
        list(Case.objects.values_list("title", "description", "status")),
        list(Organization.objects.values_list("name", "kind")),
        list(Contact.objects.values_list("name", "role")),
        Revision.objects.count(),
    ]


# --- the preview ---


def test_preview_counts_what_would_be_created_and_writes_nothing(
    editor_client, seed_path, editorial_path
):
    response = preview(editor_client, upload(seed_path), editorial=upload(editorial_path))
    assert response.status_code == 200
    found = counts(response)
    assert found["cases"] == (3, 0, 0)
    assert found["organizations"] == (4, 0, 0)
    assert found["contacts"] == (3, 0, 0)
    assert Case.objects.count() == Organization.objects.count() == Contact.objects.count() == 0
    assert not Revision.objects.exists()
    page = response.content.decode()
    assert "Nothing has been written yet" in page
    assert "as <strong>drafts</strong>" in page


def test_preview_lists_each_changed_field_with_its_old_and_new_value(
    editor_client, imported, seed_path, editorial_path
):
    text = seed_path.read_text(encoding="utf-8")
    changed = text.replace("Chief of Operations, Other Economies", "Head of Operations").replace(
        "Cooperativa Labcoop, SCCL\n\nSSE organization", "Cooperativa Labcoop, SCCL\n\nOther"
    )
    before = snapshot()
    response = preview(
        editor_client, upload("seed-cases.txt", changed), editorial=upload(editorial_path)
    )

    assert counts(response)["organizations"] == (0, 1, 3)
    assert counts(response)["contacts"] == (0, 1, 2)
    tallies = response.context["preview"].report.tallies
    (organization,) = tallies["organizations"].updates
    assert organization.name == "Cooperativa Labcoop, SCCL"
    assert [(c.label, c.old, c.new) for c in organization.changes] == [
        ("kind", "SSE organization", "Other")
    ]
    (contact,) = tallies["contacts"].updates
    assert contact.name == "Ms. Elisenda Vegué Gisbert — Ayuntamiento de Barcelona"
    assert [(c.label, c.old, c.new) for c in contact.changes] == [
        ("role", "Chief of Operations, Other Economies", "Head of Operations")
    ]
    # The Barcelona case names that contact's role: its search text follows.
    assert [u.name for u in tallies["cases"].updates] == [BARCELONA]
    page = response.content.decode()
    assert "Chief of Operations, Other Economies" in page and "Head of Operations" in page
    assert snapshot() == before


def test_preview_shows_a_changed_description_and_themes(editor_client, imported, write_seed):
    case = Case.objects.get(slug__startswith="cooperation-between")
    editorial = f'[cases."{case.title}"]\nthemes = ["Women"]\n'
    text = ONE_CASE.replace("Home-based workers organise", case.title)
    import_cases([write_seed(text)])  # the description of the seed case, now another one
    changed = text.replace("recycle the waste", "recycle all the waste")

    response = preview(
        editor_client, upload("seed.txt", changed), editorial=upload("more.toml", editorial)
    )
    (update,) = response.context["preview"].report.tallies["cases"].updates
    found = {c.label: (c.old, c.new) for c in update.changes}
    assert found["description"] == (DESCRIPTION, changed.split("\n\n")[1])
    assert found["themes"] == ("Recognizing the Informal Economy, Social Cohesion", "Women")


def test_a_seed_error_shows_file_and_line_on_the_form(editor_client, seed_path):
    bad = ONE_CASE + "\nThanks for reading!\n"
    response = preview(editor_client, upload(seed_path), upload("bad.txt", bad))
    assert response.status_code == 200
    assert response.context["preview"] is None
    (message,) = form_errors(response)["files"]
    assert message.startswith("bad.txt:13: ")
    assert "bad.txt:13: " in response.content.decode()
    assert not Case.objects.exists()


def test_an_editorial_error_shows_file_and_line_on_its_field(editor_client):
    editorial = '[cases."Home-based workers organise"]\nregion = "Atlantis"\n'
    response = preview(
        editor_client, upload("seed.txt", ONE_CASE), editorial=upload("facts.toml", editorial)
    )
    (message,) = form_errors(response)["editorial"]
    assert message == "facts.toml:1: unknown region “Atlantis”"


def test_a_file_that_is_not_utf8_is_refused_naming_its_line(editor_client):
    latin1 = ONE_CASE.replace("Sara", "Sára").encode("latin-1")
    response = preview(editor_client, upload("latin1.txt", latin1))
    (message,) = form_errors(response)["files"]
    assert message == "latin1.txt:9: the file is not valid UTF-8 text"
    assert not Case.objects.exists()


def test_a_file_over_5_mb_is_refused(editor_client):
    big = ONE_CASE + "\n" + "x" * admin_import.MAX_FILE_SIZE
    response = preview(editor_client, upload("big.txt", big))
    (message,) = form_errors(response)["files"]
    assert message == "big.txt is 5.0 MB; at most 5 MB per file."


def test_preview_takes_the_same_queries_however_many_cases(
    editor_client, tmp_path, django_assert_num_queries
):
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    synthetic.generate_text_file(small, 10, 4)
    synthetic.generate_text_file(large, 50, 4)
    for path, cases in ((small, 10), (large, 50)):
        # Session, user and permissions; then the dry run: the version, the vocabularies,
        # the rows read (organizations by name, then by alias) and written in bulk, and the
        # rollback.
        with django_assert_num_queries(31):
            response = preview(editor_client, upload(path))
        assert counts(response)["cases"] == (cases, 0, 0)


# --- confirming ---


def test_confirming_imports_what_was_previewed_with_new_cases_as_drafts(
    editor_client, seed_path, editorial_path
):
    previewed = preview(editor_client, upload(seed_path), editorial=upload(editorial_path))
    response = confirm(editor_client, previewed)

    assert response.status_code == 302
    assert response.url == reverse("admin:cases_case_changelist")
    assert Case.objects.count() == 3
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.DRAFT}
    assert Organization.objects.count() == 4 and Contact.objects.count() == 3
    assert Case.objects.get(slug__startswith="cooperation-between").city == "Barcelona"
    # The same as the command would have done: importing again changes nothing.
    report = import_cases([seed_path], editorial=editorial_path, dry_run=True)
    assert all(t.created == t.updated == 0 for t in report.tallies.values())
    message = next(iter(response.wsgi_request._messages)).message
    assert message.startswith("Imported seed-cases.txt, editorial.toml. cases: created 3")


def test_ticking_publish_publishes_the_new_cases(editor_client, seed_path):
    previewed = preview(editor_client, upload(seed_path), publish=True)
    assert "arrive <strong>published</strong>" in previewed.content.decode()
    confirm(editor_client, previewed)
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.PUBLISHED}


def test_publish_leaves_the_status_of_existing_cases_alone(editor_client, write_seed):
    import_cases([write_seed(ONE_CASE)], draft=True)
    changed = ONE_CASE.replace("General secretary", "Chair")
    confirm(editor_client, preview(editor_client, upload("seed.txt", changed), publish=True))
    assert Case.objects.get().status == Case.Status.DRAFT
    assert Contact.objects.get().role == "Chair"


def test_an_admin_import_is_a_revision_per_record_labelled_with_the_file_and_editor(
    editor_client, editor
):
    confirm(editor_client, preview(editor_client, upload("home-based.txt", ONE_CASE)))
    assert Revision.objects.count() == 3  # the case, its organization, its contact
    for revision in Revision.objects.all():
        assert revision.comment == "Imported from home-based.txt"
        assert revision.user == editor
    assert Version.objects.get_for_object(Case.objects.get()).count() == 1


def test_a_preview_of_a_catalogue_that_changed_since_is_refused_and_shown_afresh(
    editor_client, write_seed
):
    import_cases([write_seed(ONE_CASE)])
    changed = ONE_CASE.replace("General secretary", "Chair")
    previewed = preview(editor_client, upload("seed.txt", changed))
    assert counts(previewed)["contacts"] == (0, 1, 0)
    # Meanwhile someone else imports the same change, and adds a case.
    import_cases([write_seed(changed)])
    make_case("Another case")
    before = snapshot()

    response = confirm(editor_client, previewed)

    assert response.status_code == 200
    fresh = response.context["preview"]
    assert fresh.stale
    assert counts(response)["contacts"] == (0, 0, 1)
    assert "The catalogue changed since your preview" in response.content.decode()
    assert snapshot() == before
    # The fresh preview may be confirmed.
    assert confirm(editor_client, response).status_code == 302


def test_an_altered_preview_is_refused(editor_client):
    previewed = preview(editor_client, upload("seed.txt", ONE_CASE))
    signed = previewed.context["preview"].signed
    response = editor_client.post(IMPORT_URL, {"preview": signed[:-3] + "abc"})
    assert response.status_code == 400
    assert "expired or was altered" in response.content.decode()
    assert not Case.objects.exists()


def test_an_expired_preview_is_refused(editor_client, monkeypatch):
    previewed = preview(editor_client, upload("seed.txt", ONE_CASE))
    monkeypatch.setattr(admin_import, "PREVIEW_MAX_AGE", -1)
    assert confirm(editor_client, previewed).status_code == 400
    assert not Case.objects.exists()


# --- who may ---


def test_the_case_list_offers_the_import_to_editors(editor_client):
    page = editor_client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert f'href="{IMPORT_URL}"' in page
    assert editor_client.get(IMPORT_URL).status_code == 200


def test_staff_without_case_permissions_may_not_import(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(viewer)
    page = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert IMPORT_URL not in page
    assert client.get(IMPORT_URL).status_code == 403
    assert preview(client, upload("seed.txt", ONE_CASE)).status_code == 403
    assert not Case.objects.exists()


def test_visitors_are_sent_to_the_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_posting_without_the_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert preview(client, upload("seed.txt", ONE_CASE)).status_code == 403
    assert not Case.objects.exists()
