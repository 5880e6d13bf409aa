"""Migrations build a working database: from zero, and over rows that break a newer rule."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case, Theme

from .factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_SLUG_RULE = [("cases", "0007_search_vector")]


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    """Whatever a test migrated to, the tests after it get the latest schema."""
    yield
    call_command("migrate", verbosity=0)


def migrate_to(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def test_case_saved_after_migrating_from_zero_is_found_by_search():
    call_command("migrate", "cases", "zero", verbosity=0)
    call_command("migrate", verbosity=0)

    case = make_case("Solar cooperative of the valley")

    assert list(Case.objects.search("solar")) == [case]


def test_case_saved_after_migrating_back_before_the_slug_rule_is_found_by_search():
    migrate_to(BEFORE_SLUG_RULE)

    case = make_case("Solar cooperative of the valley")

    assert list(Case.objects.search("solar")) == [case]


def test_slugs_breaking_the_slug_rule_are_renamed_by_its_migration():
    migrate_to(BEFORE_SLUG_RULE)
    old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_SLUG_RULE).apps
    old_theme = old_apps.get_model("cases", "Theme")
    for name, slug in [("Taken", "2-3"), ("Minus", "-2-3"), ("Dashes", "--")]:
        old_theme.objects.create(name=name, slug=slug)

    call_command("migrate", verbosity=0)

    slugs = dict(Theme.objects.values_list("name", "slug"))
    assert (slugs["Taken"], slugs["Minus"], slugs["Dashes"]) == ("2-3", "2-3-2", "untitled")
