"""The language a case's title and description are written in (optional), for `lang`.

On SQLite, adding a NOT NULL column rebuilds cases_case, and dropping the old table drops the
triggers that keep the full-text index of 0006 and the trigram index of 0011 in step: they
are made again after the rebuild, in both directions.
"""

from importlib import import_module

import django.core.validators
from django.db import migrations, models

search_index = import_module("cases.migrations.0006_sqlite_search_index")
trigram_index = import_module("cases.migrations.0011_organization_aliases")


def restore_search_triggers(apps, schema_editor):
    search_index.create_index(apps, schema_editor)
    trigram_index.create_indexes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_organization_aliases")]

    operations = [
        # Backwards this runs last, after the column is gone and the table rebuilt.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.AddField(
            model_name="case",
            name="language",
            field=models.CharField(
                blank=True,
                help_text="The language of the title and description, as a code: en, es, fr, pt-BR… Empty when unknown. (The interface around them is translated; they are not.)",
                max_length=35,
                validators=[
                    django.core.validators.RegexValidator(
                        "\\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\\Z",
                        "A language code like en, es, fr or pt-BR.",
                        code="language",
                    )
                ],
            ),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
