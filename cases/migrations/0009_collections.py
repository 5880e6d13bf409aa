"""Collections: cases an editor brings together under a title, in an order; Editors edit them.

Only new tables: cases_case is not rebuilt, so the SQLite full-text triggers of 0006 stay.
"""

import string

from django.contrib.auth.management import create_permissions
from django.core.validators import RegexValidator
from django.db import migrations, models
from django.db.models.functions import Substr
from django.db.models.lookups import In

MESSAGE = "A slug starts with a letter or a digit."
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("collection", "collectioncase")
    for action in ("add", "change", "delete", "view")
]


def id_field():
    return models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )


def editors_edit_collections(apps, schema_editor):
    # Permissions are made after all migrations; the group needs them now.
    app_config = apps.get_app_config("cases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__in=EDITOR_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_slug_starts_with_letter_or_digit"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Collection",
            fields=[
                ("id", id_field()),
                ("title", models.CharField(max_length=200, unique=True)),
                (
                    "slug",
                    models.SlugField(
                        max_length=100,
                        unique=True,
                        validators=[RegexValidator(r"\A[0-9A-Za-z]", MESSAGE, code="slug_start")],
                    ),
                ),
                ("introduction", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["title"],
                "constraints": [
                    models.CheckConstraint(
                        condition=In(
                            Substr("slug", 1, 1), list(string.digits + string.ascii_letters)
                        ),
                        name="cases_collection_slug_start",
                        violation_error_code="slug_start",
                        violation_error_message=MESSAGE,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CollectionCase",
            fields=[
                ("id", id_field()),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "case",
                    models.ForeignKey(on_delete=models.deletion.CASCADE, to="cases.case"),
                ),
                (
                    "collection",
                    models.ForeignKey(on_delete=models.deletion.CASCADE, to="cases.collection"),
                ),
            ],
            options={
                "ordering": ["collection", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("collection", "case"), name="unique_collection_case"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="collection",
            name="cases",
            field=models.ManyToManyField(
                blank=True,
                related_name="collections",
                through="cases.CollectionCase",
                to="cases.case",
            ),
        ),
        migrations.RunPython(editors_edit_collections, migrations.RunPython.noop),
    ]
