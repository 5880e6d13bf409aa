"""Migrations build a working database: fresh through the squashed migration, and upgraded
from any point of the old chain (0001–0008) that it replaces."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from cases.models import Case, Region, Theme

from .factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)

SQUASHED = ("cases", "0001_squashed_0008_slug_starts_with_letter_or_digit")
OLD_0007 = ("cases", "0007_search_vector")
OLD_0008 = ("cases", "0008_slug_starts_with_letter_or_digit")
ZERO = ("cases", None)
OLD_CASE = "Solar bakery of the old days"
NEW_CASE = "Solar cooperative of the valley"


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    """Whatever a test migrated to, the tests after it get the latest schema."""
    yield
    call_command("migrate", verbosity=0)


def old_chain() -> MigrationExecutor:
    """An executor that sees 0001–0008 one by one and not the squash, as before it existed."""
    executor = MigrationExecutor(connection)
    loader = executor.loader = MigrationLoader(connection, replace_migrations=False)
    loader.graph.remove_replacement_node(SQUASHED, loader.replacements[SQUASHED].replaces)
    return executor


def latest_of_old_chain():
    """The last migration of the cases app, reached along the old chain (after 0008)."""
    (leaf,) = old_chain().loader.graph.leaf_nodes("cases")
    return leaf


def migrate_old_chain(*targets) -> None:
    """Migrate along the old chain to each target in turn."""
    for target in targets:
        old_chain().migrate([target])  # a new executor reads what the last one applied


def old_models(target):
    """The models as they were at a migration of the old chain."""
    return old_chain().loader.project_state([target]).apps


def create_old_case(apps, title: str):
    """A case as the importer of the old chain's days wrote it (search text folded)."""
    words = " ".join(title.lower().split())
    return apps.get_model("cases", "Case").objects.create(
        title=title,
        slug="-".join(words.split()),
        description="Made before the squash.",
        status="published",
        search_text=f" {words} ",
        search_title=f" {words} ",
    )


def migrate_to_latest() -> str:
    """Run `migrate` as a deployment does; what it printed."""
    out = StringIO()
    call_command("migrate", stdout=out)
    return out.getvalue()


def applied() -> set:
    return set(MigrationLoader(connection).applied_migrations)


def assert_models_match_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def search_titles(words: str) -> list[str]:
    return [case.title for case in Case.objects.search(words).order_by("title")]


def schema() -> list:
    """Every table, column, constraint, index and trigger of the cases app, in name order."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return sqlite_schema(cursor)
        return postgresql_schema(cursor)


def sqlite_schema(cursor) -> list:
    """What SQLite stores of each object: its SQL, a table's definitions in name order."""
    cursor.execute(
        "SELECT type, name, sql FROM sqlite_master"
        " WHERE name LIKE 'cases%%' OR tbl_name LIKE 'cases%%' ORDER BY name"
    )
    return [
        (kind, name, sorted(definitions(sql)) if sql.startswith("CREATE TABLE") else sql)
        for kind, name, sql in cursor.fetchall()
        if sql  # automatic indexes of UNIQUE columns show in their table's SQL
    ]


def definitions(create_table: str) -> list[str]:
    """The column and constraint definitions of a CREATE TABLE statement."""
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    parts, depth, start = [], 0, 0
    for at, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:at].strip())
            start = at + 1
    return [*parts, body[start:].strip()]


def postgresql_schema(cursor) -> list:
    """Columns, constraints and indexes of each table, the search trigger and its function."""
    introspection = connection.introspection
    tables = sorted(t for t in introspection.table_names(cursor) if t.startswith("cases_"))
    described = [
        (
            table,
            sorted(map(tuple, introspection.get_table_description(cursor, table))),
            sorted(introspection.get_constraints(cursor, table).items()),
        )
        for table in tables
    ]
    cursor.execute(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
        " WHERE NOT tgisinternal AND tgrelid = 'cases_case'::regclass"
        " UNION ALL SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'cases%%'"
        " UNION ALL SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%gin'"
    )
    search = sorted((name, " ".join(sql.split())) for name, sql in cursor.fetchall())
    return [*described, *search]


def starting_data() -> dict:
    editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    return {
        "themes": sorted(Theme.objects.values_list("name", "slug")),
        "regions": sorted(Region.objects.values_list("name", "slug")),
        "editors": sorted(editors),
    }


def test_fresh_database_is_built_by_the_squashed_migration_and_finds_new_cases():
    call_command("migrate", "cases", "zero", verbosity=0)
    assert not {SQUASHED, OLD_0008} & applied()

    printed = migrate_to_latest()

    assert f"Applying cases.{SQUASHED[1]}... OK" in printed
    assert "Applying cases.0002" not in printed
    case = make_case(NEW_CASE)
    assert list(Case.objects.search("solar")) == [case]
    assert_models_match_migrations()


def test_squashed_migration_builds_what_the_old_chain_built():
    migrate_old_chain(ZERO, OLD_0008, latest_of_old_chain())
    by_old_chain = schema(), starting_data()
    migrate_old_chain(ZERO)

    call_command("migrate", verbosity=0)

    assert (schema(), starting_data()) == by_old_chain
    assert by_old_chain[1]["editors"]  # the group was there to compare


def test_database_at_old_0007_upgrades_and_finds_its_cases_and_new_ones():
    migrate_old_chain(ZERO, OLD_0007)
    create_old_case(old_models(OLD_0007), OLD_CASE)

    printed = migrate_to_latest()

    assert f"Applying cases.{OLD_0008[1]}... OK" in printed
    assert {SQUASHED, OLD_0008} <= applied()  # later migrations can follow the squash
    make_case(NEW_CASE)
    assert search_titles("solar") == [OLD_CASE, NEW_CASE]
    assert search_titles("bakery old") == [OLD_CASE]
    assert_models_match_migrations()


def test_database_at_old_0008_needs_only_later_migrations_and_finds_its_cases_and_new_ones():
    migrate_old_chain(ZERO, OLD_0008)
    create_old_case(old_models(OLD_0008), OLD_CASE)

    printed = migrate_to_latest()

    assert "Applying cases.0009_collections... OK" in printed
    assert "squashed" not in printed and "Applying cases.0008" not in printed
    assert SQUASHED in applied()
    make_case(NEW_CASE)
    assert search_titles("solar") == [OLD_CASE, NEW_CASE]
    assert_models_match_migrations()


def test_slugs_breaking_the_slug_rule_are_renamed_by_its_migration():
    migrate_old_chain(OLD_0007)
    old_theme = old_models(OLD_0007).get_model("cases", "Theme")
    for name, slug in [("Taken", "2-3"), ("Minus", "-2-3"), ("Dashes", "--")]:
        old_theme.objects.create(name=name, slug=slug)

    call_command("migrate", verbosity=0)

    slugs = dict(Theme.objects.values_list("name", "slug"))
    assert (slugs["Taken"], slugs["Minus"], slugs["Dashes"]) == ("2-3", "2-3-2", "untitled")
