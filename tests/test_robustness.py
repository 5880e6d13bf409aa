"""Bad input never breaks anything; imports are all or nothing, even concurrent ones."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import DataError, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import importer
from cases.importer import ImportFailed, import_cases
from cases.models import Case, Contact, Organization

PARAMETERS = ["q", "theme", "region", "country", "kind", "sort", "page", "page_size"]
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "women", "WOMEN", "es", "-1", "0", "1", "2", "last"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=150, max_size=400),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), NASTY), max_size=8
)


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pairs=QUERIES, path=st.sampled_from(["/cases/", "/cases.json", "/cases.csv"]))
def test_any_query_answers_200_400_or_404(client, imported_once, pairs, path):
    response = client.get(f"{path}?{urlencode(pairs)}")
    assert response.status_code in {200, 400, 404}, (path, pairs)
    read(response)
    if path == "/cases.json":
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=NASTY, page=NASTY)
def test_organization_list_never_fails(client, imported_once, kind, page):
    response = client.get("/organizations/", {"kind": kind, "page": page})
    assert response.status_code in {200, 400, 404}


@pytest.fixture
def imported_once(imported):
    """The seed catalogue, imported once for all the examples of a property test."""
    return imported


def catalogue_rows() -> tuple:
    return (
        list(Case.objects.values_list("title", "description", "city", "status")),
        list(Organization.objects.values_list("name", "kind", "country")),
        list(Contact.objects.values_list("name", "role")),
    )


def fail_midway(*args, **kwargs):
    raise DataError("simulated failure after organizations and contacts were written")


def test_database_error_midway_leaves_everything_as_it_was(
    db, seed_path, editorial_path, monkeypatch
):
    before = catalogue_rows()
    monkeypatch.setattr(importer, "_write_cases", fail_midway)
    with pytest.raises(ImportFailed, match="nothing was written"):
        import_cases([seed_path], editorial=editorial_path)
    assert catalogue_rows() == before
    assert not Organization.objects.exists()


def test_import_command_reports_a_database_failure_without_traceback(db, seed_path, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(importer, "_write_cases", fail_midway)
    with pytest.raises(CommandError, match="database error, nothing was written"):
        call_command("import_cases", str(seed_path))


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_file_create_no_duplicates(seed_path, editorial_path):
    errors = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            import_cases([seed_path], editorial=editorial_path)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Case.objects.count() == 3
    assert Organization.objects.count() == 4
    assert Contact.objects.count() == 3
    report = import_cases([seed_path], editorial=editorial_path)
    assert report.tallies["cases"].created == 0
    assert report.tallies["cases"].updated == 0


def test_backup_and_restore_give_identical_exports(client, imported, tmp_path):
    backup = tmp_path / "catalogue.json"
    call_command("backup_catalogue", str(backup))
    exported = client.get("/cases.json", {"page_size": 500}).json()
    csv_before = read(client.get("/cases.csv"))

    case = Case.objects.get(city="Barcelona")
    case.title = "Changed after the backup"
    case.save()
    Case.objects.filter(city="Lima").delete()
    assert client.get("/cases.json", {"page_size": 500}).json() != exported

    call_command("restore_catalogue", str(backup))
    assert client.get("/cases.json", {"page_size": 500}).json() == exported
    assert read(client.get("/cases.csv")) == csv_before


def test_backup_keeps_private_emails_for_the_editors(db, tmp_path):
    from tests.factories import make_contact

    make_contact(email="keep.me@example.org")
    backup = tmp_path / "b.json"
    call_command("backup_catalogue", str(backup))
    Contact.objects.all().delete()
    call_command("restore_catalogue", str(backup))
    assert Contact.objects.get().email == "keep.me@example.org"


def test_restore_of_a_broken_file_changes_nothing(imported, tmp_path):
    from django.core.management.base import CommandError

    broken = tmp_path / "broken.json"
    broken.write_text('[{"model": "cases.case", "fields": {"title": 1}}]')
    before = catalogue_rows()
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("restore_catalogue", str(broken))
    assert catalogue_rows() == before
