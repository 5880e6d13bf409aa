"""Writes under real concurrency: SQLite writers queue, busy saves say so, conflicts are atomic."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing, contextmanager, suppress
from functools import partial
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from cases.admin import BUSY_ACTION_MESSAGE, BUSY_MESSAGE, CaseAdminForm
from cases.models import Case, CaseOrganization

from .conftest import EDITOR_PASSWORD
from .factories import make_case, make_organization

STALE = "Someone else saved this case after you opened it"
BUSY_TIMEOUT = 5  # seconds a writer queues in these tests (20 in production)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's single write lock; PostgreSQL locks rows"
)


@pytest.fixture
def catalogue_db(transactional_db, tmp_path) -> Path | None:
    """A test database every thread shares: on SQLite a copy in a file, opened as configured."""
    if connection.vendor != "sqlite":
        yield None  # PostgreSQL's test database already is one
        return
    path = tmp_path / "catalogue.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    # Every thread makes its connection from this one dict; the in-memory database must stay
    # open (closing it would drop it), so this thread gets a connection of its own.
    shared, in_memory = connection.settings_dict, connections["default"]
    saved = dict(shared)
    shared.update(NAME=str(path), OPTIONS={**shared["OPTIONS"], "timeout": BUSY_TIMEOUT})
    connections["default"] = connections.create_connection("default")
    connection.ensure_connection()  # runs the settings' init_command: WAL from here on
    yield path
    connection.close()
    shared.clear()
    shared.update(saved)
    connections["default"] = in_memory


@pytest.fixture
def staff_client(catalogue_db, django_user_model) -> Callable[[], Client]:
    """Make signed-in admin clients (one per editor's browser) on the shared database."""
    user = django_user_model.objects.create_superuser("chief", password=EDITOR_PASSWORD)

    def make(**kwargs) -> Client:
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def saves_meet(monkeypatch):
    """Two case saves wait for each other (up to 1 s) in validation: truly at the same time."""
    barrier = threading.Barrier(2, timeout=1)
    clean = CaseAdminForm.clean

    def meet_then_clean(form):
        with suppress(threading.BrokenBarrierError):  # the other save may be queued for a lock
            barrier.wait()
        return clean(form)

    monkeypatch.setattr(CaseAdminForm, "clean", meet_then_clean)


def in_threads(*calls: Callable):
    """Run each call in its own thread (own database connection); their results, in order."""
    results: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


@contextmanager
def write_lock_held(path: Path):
    """Another connection (a long import, say) inside a big write transaction, not committed."""
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("PRAGMA cache_size = 2")  # spills to the file, as a 58 MB import does
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("CREATE TABLE import_scratch (body BLOB)")
        writer.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
            " INSERT INTO import_scratch SELECT randomblob(1000) FROM n"
        )
        try:
            yield
        finally:
            writer.execute("ROLLBACK")


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def with_new_organization(data: dict, case: Case, name: str) -> dict:
    """The change form's data plus one more organization linked through the inline."""
    organization = make_organization(name)
    return {
        **data,
        "caseorganization_set-TOTAL_FORMS": "1",
        "caseorganization_set-0-position": "0",
        "caseorganization_set-0-organization": str(organization.pk),
        "caseorganization_set-0-case": str(case.pk),
    }


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(catalogue_db):
    options = connection.settings_dict["OPTIONS"]
    if connection.vendor != "sqlite":
        assert "transaction_mode" not in options
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"
    assert "timeout" in options


@sqlite_only
def test_public_pages_answer_while_a_long_write_transaction_is_open(catalogue_db, client):
    case = make_case("Waste pickers of the harbour")
    with write_lock_held(catalogue_db):
        for url in ["/cases/", case.get_absolute_url(), "/cases.json"]:
            response = client.get(url)
            assert response.status_code == 200, url
    assert "Waste pickers of the harbour" in client.get("/cases/").content.decode()


@sqlite_only
def test_a_save_that_cannot_get_the_lock_in_time_says_busy_and_writes_nothing(
    catalogue_db, staff_client, admin_form_data
):
    case = make_case("Before the import")
    client, url = staff_client(), change_url(case)
    data = admin_form_data(client.get(url), title="Saved during the import")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")  # the import holds the lock longer

    with write_lock_held(catalogue_db):
        response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert BUSY_MESSAGE in page
    assert 'value="Saved during the import"' in page  # the editor's changes are still there
    assert Case.objects.get(pk=case.pk).title == "Before the import"
    assert client.post(url, data).status_code == 302  # saving again, once free, works
    assert Case.objects.get(pk=case.pk).title == "Saved during the import"


@sqlite_only
def test_an_action_that_cannot_get_the_lock_in_time_says_busy_and_writes_nothing(
    catalogue_db, staff_client
):
    case = make_case("A draft to publish", status=Case.Status.DRAFT)
    client, url = staff_client(), reverse("admin:cases_case_changelist")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")

    with write_lock_held(catalogue_db):
        response = client.post(url, {"action": "publish", "_selected_action": [case.pk]})

    assert response.status_code == 302
    assert BUSY_ACTION_MESSAGE in client.get(response.url).content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


@sqlite_only
def test_sign_in_while_the_lock_is_held_answers_busy_not_500(catalogue_db, django_user_model):
    django_user_model.objects.create_user("editor", password=EDITOR_PASSWORD, is_staff=True)
    client = Client(raise_request_exception=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")

    with write_lock_held(catalogue_db):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "editor", "password": EDITOR_PASSWORD}
        )

    assert response.status_code == 503
    assert "The catalogue is busy" in response.content.decode()
    assert response["Retry-After"]


def test_two_editors_saving_different_cases_at_once_both_succeed(
    catalogue_db, staff_client, saves_meet, admin_form_data
):
    cases = [make_case("First case"), make_case("Second case")]
    posts = []
    for case in cases:
        client = staff_client()
        data = admin_form_data(client.get(change_url(case)), title=f"{case.title}, edited")
        posts.append(partial(client.post, change_url(case), data))

    responses = in_threads(*posts)

    assert [response.status_code for response in responses] == [302, 302]
    titles = set(Case.objects.values_list("title", flat=True))
    assert titles == {"First case, edited", "Second case, edited"}


def test_two_editors_saving_the_same_case_at_once_one_is_refused_whole(
    catalogue_db, staff_client, saves_meet, admin_form_data
):
    case = make_case("Opened by two editors")
    url, posts = change_url(case), []
    for editor in ["Ana", "Ben"]:
        client = staff_client()
        data = admin_form_data(client.get(url), title=f"Title from {editor}")
        posts.append(partial(client.post, url, with_new_organization(data, case, editor)))

    responses = in_threads(*posts)

    assert sorted(response.status_code for response in responses) == [200, 302]
    winner = "Ana" if responses[0].status_code == 302 else "Ben"
    loser = responses[1] if winner == "Ana" else responses[0]
    assert STALE in loser.content.decode()
    case.refresh_from_db()
    assert case.title == f"Title from {winner}"
    linked = CaseOrganization.objects.filter(case=case).values_list("organization__name")
    assert list(linked) == [(winner,)]  # none of the loser's inline rows either
