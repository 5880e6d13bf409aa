from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cases.models import Case, Organization


class Command(BaseCommand):
    help = "Load fixtures/catalogue.json, but only into a catalogue with no cases or organizations."

    def handle(self, *args, **options):
        if Case.objects.exists() or Organization.objects.exists():
            self.stdout.write("catalogue already has data: left as it is")
            return
        call_command("loaddata", str(settings.CATALOGUE_FIXTURE), verbosity=0)
        self.stdout.write(f"loaded {Case.objects.count()} cases from {settings.CATALOGUE_FIXTURE}")
