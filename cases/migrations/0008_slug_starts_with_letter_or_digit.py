"""Slugs start with a letter or a digit: a spreadsheet computes the slug `-2-3` to -5.

Slugs that do not are renamed first (`-2-3` becomes `2-3`, or `2-3-2` if that is taken).
On SQLite, adding a CHECK constraint rebuilds the table, and dropping the old table drops
the triggers that keep the full-text index of 0006 in step: they are made again after the
rebuilds, in both directions.
"""

import string
from importlib import import_module

from django.core.validators import RegexValidator
from django.db import migrations, models
from django.db.models.functions import Substr
from django.db.models.lookups import In

from cases.models import unique_slug

search_index = import_module("cases.migrations.0006_sqlite_search_index")

MODELS = ["case", "organization", "region", "theme"]
MESSAGE = "A slug starts with a letter or a digit."
FIRST_CHARACTERS = list(string.digits + string.ascii_lowercase + string.ascii_uppercase)


def rename_slugs(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("cases", name)
        taken = set(model.objects.values_list("slug", flat=True))
        for obj in model.objects.exclude(slug__regex=r"^[0-9A-Za-z]"):
            obj.slug = unique_slug(obj.slug, taken.__contains__)
            taken.add(obj.slug)
            obj.save(update_fields=["slug"])


def restore_search_triggers(apps, schema_editor):
    search_index.create_index(apps, schema_editor)


def slug_field():
    validator = RegexValidator(r"\A[0-9A-Za-z]", MESSAGE, code="slug_start")
    return models.SlugField(max_length=100, unique=True, validators=[validator])


def slug_start(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=In(Substr("slug", 1, 1), FIRST_CHARACTERS),
        name=f"cases_{name}_slug_start",
        violation_error_code="slug_start",
        violation_error_message=MESSAGE,
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_search_vector")]

    operations = [
        # Backwards this runs last, after the constraints are gone and the table rebuilt.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.RunPython(rename_slugs, migrations.RunPython.noop),
        *(migrations.AlterField(name, "slug", slug_field()) for name in MODELS),
        *(migrations.AddConstraint(name, slug_start(name)) for name in MODELS),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
