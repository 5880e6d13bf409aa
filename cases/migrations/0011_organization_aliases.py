"""Duplicate warnings and merges: organizations' name keys, aliases, and trigram indexes.

An organization's name_key (its folded name, legal form dropped) is filled in for every row.
Merged organizations leave their names as aliases of the one kept; Editors edit them.

Likely duplicates are found through a trigram index: on PostgreSQL pg_trgm's GIN indexes
(the extension is created here, which needs a role allowed to create it), on SQLite FTS5
trigram tables kept in step by triggers, as 0006 keeps the search index. Only
cases_organization is rebuilt here (SQLite adds the column by rebuilding the table), before
its triggers exist; cases_case is not, so the triggers of 0006 stay.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from cases.models import name_key

EDITOR_PERMISSIONS = [
    f"{action}_organizationalias" for action in ("add", "change", "delete", "view")
]
# (table, column, GIN index on PostgreSQL, FTS5 trigram table on SQLite)
INDEXED = [
    ("cases_organization", "name_key", "organization_name_key_trgm", "cases_organization_trgm"),
    ("cases_case", "search_title", "case_search_title_trgm", "cases_case_title_trgm"),
]


def fill_name_keys(apps, schema_editor):
    Organization = apps.get_model("cases", "Organization")
    organizations = list(Organization.objects.only("name"))
    for organization in organizations:
        organization.name_key = name_key(organization.name)
    Organization.objects.bulk_update(organizations, ["name_key"], batch_size=500)


def grant_editors(apps, schema_editor):
    app_config = apps.get_app_config("cases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__in=EDITOR_PERMISSIONS)
    )


def sqlite_statements(table: str, column: str, fts: str) -> list[str]:
    """An external-content FTS5 trigram table over table.column and the triggers keeping it."""
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"{column}, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table}"
        f" BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, gin, fts in INDEXED:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {gin} ON {table} USING gin ({column} gin_trgm_ops)"
            )
        elif vendor == "sqlite":
            for statement in sqlite_statements(table, column, fts):
                schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for _, _, gin, fts in INDEXED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {gin}")
        elif vendor == "sqlite":
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_suggestions_from_the_public")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="name_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="See name_key().",
                max_length=300,
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.CreateModel(
            name="OrganizationAlias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=300, unique=True)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="aliases",
                        to="cases.organization",
                    ),
                ),
            ],
            options={"verbose_name_plural": "organization aliases", "ordering": ["name"]},
        ),
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
