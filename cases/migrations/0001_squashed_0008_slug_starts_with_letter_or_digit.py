"""The catalogue's schema as it is after 0001–0008, for new databases.

Django runs this migration on a database that has none of 0001–0008, and records those
as applied; a database that has some of them goes on with the old chain (`replaces`).
Every table is therefore empty here: the data fixes of the old chain (0005 copied names
into the source keys, 0008 renamed slugs breaking the slug rule) have nothing to do.

What the ORM cannot express comes last, after every table is built (on SQLite, altering
a table rebuilds it and drops its triggers): the full-text index of each database, and
the vocabulary and the Editors group that every catalogue starts with.
"""

import string

import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
import django_countries.fields
from django.contrib.auth.management import create_permissions
from django.core.validators import RegexValidator
from django.db import migrations, models
from django.db.models.functions import Substr
from django.db.models.lookups import In
from django.utils.text import slugify

SLUG_START_MESSAGE = "A slug starts with a letter or a digit."


def slug_field():
    """A slug a spreadsheet reads as text: it starts with a letter or a digit."""
    validator = RegexValidator(r"\A[0-9A-Za-z]", SLUG_START_MESSAGE, code="slug_start")
    return models.SlugField(max_length=100, unique=True, validators=[validator])


def slug_start(model_name: str) -> models.CheckConstraint:
    """The slug rule in the database (a list rather than REGEXP, which SQLite lacks)."""
    return models.CheckConstraint(
        condition=In(Substr("slug", 1, 1), list(string.digits + string.ascii_letters)),
        name=f"cases_{model_name}_slug_start",
        violation_error_code="slug_start",
        violation_error_message=SLUG_START_MESSAGE,
    )


def id_field():
    return models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )


# Full-text search, one index per database; `Case.objects.search` reads it.
SEARCH_INDEX = {
    # An external-content FTS5 table over the folded search text, kept in step with
    # cases_case by triggers, so every write path (ORM, bulk, raw SQL) updates it.
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
        "search_text, content='cases_case', content_rowid='id', tokenize='unicode61')",
        "CREATE TRIGGER IF NOT EXISTS cases_case_fts_insert AFTER INSERT ON cases_case BEGIN"
        " INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "CREATE TRIGGER IF NOT EXISTS cases_case_fts_delete AFTER DELETE ON cases_case BEGIN"
        " INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text)"
        " VALUES ('delete', old.id, old.search_text); END",
        "CREATE TRIGGER IF NOT EXISTS cases_case_fts_update AFTER UPDATE OF search_text"
        " ON cases_case BEGIN"
        " INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text)"
        " VALUES ('delete', old.id, old.search_text);"
        " INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    ],
    # A trigger keeps search_vector (title words weighted A, the rest B), GIN-indexed.
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION cases_case_search_vector() RETURNS trigger AS $$
        BEGIN
          NEW.search_vector :=
            setweight(to_tsvector('simple', coalesce(NEW.search_title, '')), 'A') ||
            setweight(to_tsvector('simple', coalesce(NEW.search_text, '')), 'B');
          RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER cases_case_search_vector"
        " BEFORE INSERT OR UPDATE OF search_title, search_text ON cases_case"
        " FOR EACH ROW EXECUTE FUNCTION cases_case_search_vector()",
        "CREATE INDEX case_search_vector_gin ON cases_case USING gin (search_vector)",
    ],
}
DROP_SEARCH_INDEX = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS cases_case_fts_insert",
        "DROP TRIGGER IF EXISTS cases_case_fts_delete",
        "DROP TRIGGER IF EXISTS cases_case_fts_update",
        "DROP TABLE IF EXISTS cases_case_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS case_search_vector_gin",
        "DROP TRIGGER IF EXISTS cases_case_search_vector ON cases_case",
        "DROP FUNCTION IF EXISTS cases_case_search_vector()",
    ],
}


def for_vendor(statements: dict[str, list[str]]):
    """A RunPython function executing the statements written for the database's vendor."""

    def execute(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return execute


THEMES = [
    "Social Cohesion",
    "Recognizing the Informal Economy",
    "Indicators and Measures of Impact",
    "Women",
    "Youth",
]
REGIONS = [
    "Africa",
    "Asia",
    "Europe",
    "Latin America",
    "Middle East",
    "North America",
    "Oceania",
]
EDITOR_PERMISSIONS = {
    "case": ["add", "change", "delete", "view"],
    "caseorganization": ["add", "change", "delete", "view"],
    "organization": ["add", "change", "delete", "view"],
    "contact": ["add", "change", "delete", "view"],
    "theme": ["change", "view"],
    "region": ["change", "view"],
}


def vocabulary_and_editors(apps, schema_editor):
    """The themes and regions, and an Editors group that may edit the catalogue."""
    for model_name, names in [("Theme", THEMES), ("Region", REGIONS)]:
        model = apps.get_model("cases", model_name)
        for name in names:
            model.objects.get_or_create(name=name, defaults={"slug": slugify(name)})

    # Permissions are made after all migrations; the group needs them now.
    app_config = apps.get_app_config("cases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
    )


class Migration(migrations.Migration):
    replaces = [
        ("cases", "0001_initial"),
        ("cases", "0002_vocabulary_and_editors"),
        ("cases", "0003_search_index"),
        ("cases", "0004_catalogue_state"),
        ("cases", "0005_source_keys"),
        ("cases", "0006_sqlite_search_index"),
        ("cases", "0007_search_vector"),
        ("cases", "0008_slug_starts_with_letter_or_digit"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Theme",
            fields=[
                ("id", id_field()),
                ("name", models.CharField(max_length=100, unique=True)),
                ("slug", slug_field()),
                ("description", models.TextField(blank=True)),
            ],
            options={"ordering": ["name"], "constraints": [slug_start("theme")]},
        ),
        migrations.CreateModel(
            name="Region",
            fields=[
                ("id", id_field()),
                ("name", models.CharField(max_length=100, unique=True)),
                ("slug", slug_field()),
            ],
            options={"ordering": ["name"], "constraints": [slug_start("region")]},
        ),
        migrations.CreateModel(
            name="Organization",
            fields=[
                ("id", id_field()),
                ("name", models.CharField(max_length=300, unique=True)),
                ("slug", slug_field()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("sse-organization", "SSE organization"),
                            ("government-and-public-agency", "Government and public agency"),
                            ("international-organization", "International organization"),
                            (
                                "academic-and-research-institution",
                                "Academic and research institution",
                            ),
                            ("private-sector", "Private sector"),
                            ("other", "Other"),
                        ],
                        db_index=True,
                        max_length=40,
                    ),
                ),
                (
                    "source_name",
                    models.CharField(
                        blank=True,
                        db_index=True,
                        editable=False,
                        help_text="Name in the source.",
                        max_length=300,
                    ),
                ),
                ("country", django_countries.fields.CountryField(blank=True, max_length=2)),
                ("website", models.URLField(blank=True)),
                ("edited_fields", models.JSONField(blank=True, default=list, editable=False)),
            ],
            options={"ordering": ["name"], "constraints": [slug_start("organization")]},
        ),
        migrations.CreateModel(
            name="Contact",
            fields=[
                ("id", id_field()),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="cases.organization",
                    ),
                ),
                (
                    "honorific",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("Mr.", "Mr."),
                            ("Ms.", "Ms."),
                            ("Mrs.", "Mrs."),
                            ("Dr.", "Dr."),
                            ("Prof.", "Prof."),
                        ],
                        max_length=5,
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("source_name", models.CharField(blank=True, editable=False, max_length=200)),
                ("role", models.CharField(blank=True, max_length=300)),
                (
                    "email",
                    models.EmailField(
                        blank=True, help_text="Private: shown only in the admin.", max_length=254
                    ),
                ),
                ("edited_fields", models.JSONField(blank=True, default=list, editable=False)),
            ],
            options={
                "ordering": ["organization__name", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "name"), name="unique_contact_per_org"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Case",
            fields=[
                ("id", id_field()),
                ("title", models.CharField(max_length=300, unique=True)),
                ("slug", slug_field()),
                ("description", models.TextField()),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="cases.region",
                    ),
                ),
                (
                    "country",
                    django_countries.fields.CountryField(blank=True, db_index=True, max_length=2),
                ),
                ("city", models.CharField(blank=True, max_length=100)),
                (
                    "themes",
                    models.ManyToManyField(blank=True, related_name="cases", to="cases.theme"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")],
                        default="draft",
                        max_length=10,
                    ),
                ),
                (
                    "marked_absent",
                    models.BooleanField(
                        default=False, help_text="The source title ended in “ - ABSENT”."
                    ),
                ),
                ("source_file", models.CharField(blank=True, max_length=200)),
                ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "source_title",
                    models.CharField(
                        blank=True,
                        db_index=True,
                        editable=False,
                        help_text="Title in the source.",
                        max_length=300,
                    ),
                ),
                (
                    "source_facts",
                    models.JSONField(
                        blank=True,
                        default=list,
                        editable=False,
                        help_text="Facts stated in the source text.",
                    ),
                ),
                (
                    "edited_fields",
                    models.JSONField(
                        blank=True,
                        default=list,
                        editable=False,
                        help_text="Facts changed in the admin.",
                    ),
                ),
                ("search_text", models.TextField(blank=True, editable=False)),
                ("search_title", models.TextField(blank=True, editable=False)),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
            ],
            options={
                "ordering": ["title"],
                "indexes": [
                    models.Index(fields=["status", "title"], name="case_status_title"),
                    models.Index(fields=["status", "updated_at"], name="case_status_updated"),
                    models.Index(fields=["status", "region"], name="case_status_region"),
                    models.Index(fields=["status", "country"], name="case_status_country"),
                ],
                "constraints": [slug_start("case")],
            },
        ),
        migrations.CreateModel(
            name="CaseOrganization",
            fields=[
                ("id", id_field()),
                (
                    "case",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="cases.case"),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="cases.organization"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        help_text="The contact of this organization for this case.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="cases.contact",
                    ),
                ),
            ],
            options={
                "ordering": ["case", "position"],
                "indexes": [models.Index(fields=["organization", "case"], name="caseorg_org_case")],
                "constraints": [
                    models.UniqueConstraint(fields=("case", "organization"), name="unique_case_org")
                ],
            },
        ),
        migrations.AddField(
            model_name="case",
            name="organizations",
            field=models.ManyToManyField(
                blank=True,
                related_name="cases",
                through="cases.CaseOrganization",
                to="cases.organization",
            ),
        ),
        migrations.CreateModel(
            name="CatalogueState",
            fields=[
                ("id", id_field()),
                ("version", models.PositiveBigIntegerField(default=1)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["pk"]},
        ),
        migrations.RunPython(for_vendor(SEARCH_INDEX), for_vendor(DROP_SEARCH_INDEX)),
        migrations.RunPython(vocabulary_and_editors, migrations.RunPython.noop),
    ]
