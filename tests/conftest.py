"""Shared fixtures: the real seed, an imported catalogue, an editor, temp seed files."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction

from cases.importer import ImportReport, import_cases

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "source"
EDITOR_PASSWORD = "a-long-editor-passphrase"


# Fixtures that open the test database; the rest of the suite cannot reach it.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_collection_modifyitems(items):
    """Mark engine_independent the tests that pytest-django keeps away from the database, and
    the browser's: what a browser does with the HTML, CSS and script is the same on every
    engine, and the views behind them are tested on both without a browser.

    The PostgreSQL run deselects them.
    """
    for item in items:
        if item.get_closest_marker("browser") or (
            item.get_closest_marker("django_db") is None
            and not (DATABASE_FIXTURES & set(item.fixturenames))
        ):
            item.add_marker(pytest.mark.engine_independent)


def pytest_collection_finish(session):
    """Keep the garbage collector off what lives the whole run (Django, the app, the collected
    tests) and let it run less often: about 5% of the suite's CPU went to full collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: nothing cached or throttled by another test."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """MD5 hashes a test password in microseconds; the default hasher takes a tenth of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_path() -> Path:
    """The real seed text, as committed in fixtures/source/."""
    return SOURCE / "seed-cases.txt"


@pytest.fixture
def editorial_path() -> Path:
    """The real editorial overlay, as committed in fixtures/source/."""
    return SOURCE / "editorial.toml"


@pytest.fixture
def write_seed(tmp_path) -> Callable[..., Path]:
    """Write text (str, encoded as UTF-8, or raw bytes) to a temp file and return its path."""

    def write(content: str | bytes, name: str = "seed.txt") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return write


class Snapshot:
    """The rows a load (an import, a fixture) adds or changes, read once per run and written
    back for each test that asks for them: a test gets the tables the load leaves (history
    included) for a few bulk writes instead of the load's own queries (the importer's sixty)."""

    def __init__(self, load: Callable[[], object]):
        models = apps.get_models(include_auto_created=True)
        before = {model: self._rows(model) for model in models}
        with transaction.atomic():
            self.result = load()
            after = {model: self._rows(model) for model in models}
            transaction.set_rollback(True)
        self.added, self.changed = {}, {}
        for model in models:
            if before[model].keys() - after[model].keys():
                raise AssertionError(f"the load deleted rows of {model._meta.label}")
            added = [row for pk, row in after[model].items() if pk not in before[model]]
            changed = [
                row
                for pk, row in after[model].items()
                if pk in before[model] and row != before[model][pk]
            ]
            if added:
                self.added[model] = added
            if changed:
                self.changed[model] = changed

    @staticmethod
    def _rows(model) -> dict[object, dict]:
        """Every row of a model's table by its key."""
        names = [field.attname for field in model._meta.concrete_fields]
        return {row[model._meta.pk.attname]: row for row in model._base_manager.values(*names)}

    def write(self) -> None:
        with transaction.atomic():
            for model, rows in self.added.items():
                model._base_manager.bulk_create(model(**row) for row in rows)
            for model, rows in self.changed.items():
                names = [
                    field.attname for field in model._meta.concrete_fields if not field.primary_key
                ]
                model._base_manager.bulk_update([model(**row) for row in rows], names)
            # Rows written with their keys leave PostgreSQL's sequences behind them.
            statements = connection.ops.sequence_reset_sql(no_style(), list(self.added))
            if statements:
                with connection.cursor() as cursor:
                    cursor.execute("".join(statements))


@pytest.fixture(scope="session")
def _imported(django_db_setup, django_db_blocker) -> Snapshot:
    with django_db_blocker.unblock():
        return Snapshot(
            lambda: import_cases([SOURCE / "seed-cases.txt"], editorial=SOURCE / "editorial.toml")
        )


@pytest.fixture
def imported(db, _imported) -> ImportReport:
    """The real seed and editorial overlay imported into the test database."""
    _imported.write()
    return _imported.result


@pytest.fixture
def editor(db, django_user_model):
    """A staff user in the Editors group (the group comes from a data migration)."""
    user = django_user_model.objects.create_user(
        username="editor", password=EDITOR_PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _form_fields(form):
    """(POST name, value) of every editable field of a form, as a browser would send it."""
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(getattr(item, "pk", item)) for item in value]
        else:
            value = str(getattr(value, "pk", value))
        yield form.add_prefix(name), value


@pytest.fixture
def admin_form_data() -> Callable[..., dict]:
    """POST data of an admin change page (from its GET response), inlines included."""

    def collect(response, **changes) -> dict:
        data = dict(_form_fields(response.context["adminform"].form))
        for inline in response.context["inline_admin_formsets"]:
            formset = inline.formset
            data.update(_form_fields(formset.management_form))
            for form in formset.forms:
                data.update(_form_fields(form))
        data.update(changes)
        return data

    return collect
