"""Themes, regions and the Editors group every catalogue starts with."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils.text import slugify

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


def forwards(apps, schema_editor):
    Theme = apps.get_model("cases", "Theme")
    Region = apps.get_model("cases", "Region")
    for name in THEMES:
        Theme.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
    for name in REGIONS:
        Region.objects.get_or_create(name=name, defaults={"slug": slugify(name)})

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
    dependencies = [
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
