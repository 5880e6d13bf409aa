from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction

from cases.models import (
    Case,
    CaseOrganization,
    CatalogueState,
    Contact,
    Organization,
    Region,
    Theme,
)


class Command(BaseCommand):
    help = "Replace the whole catalogue with a backup_catalogue file, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with transaction.atomic():
                for model in (CaseOrganization, Case, Contact, Organization, Theme, Region):
                    model.objects.all().delete()
                call_command("loaddata", file, verbosity=0)
                CatalogueState.objects.bump()
        except (DatabaseError, DeserializationError, ValueError, OSError) as exc:
            raise CommandError(f"{file}: restore failed, nothing changed ({exc})") from exc
        self.stdout.write(f"restored {Case.objects.count()} cases from {file}")
