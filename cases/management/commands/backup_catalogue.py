from datetime import UTC, datetime
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write the whole catalogue (cases app, natural keys, private e-mails included) to JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="default: backups/catalogue-<UTC time>.json")

    def handle(self, *args, file, **options):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(file or f"backups/catalogue-{stamp}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            "cases",
            natural_foreign=True,
            natural_primary=True,
            indent=1,
            output=str(path),
            verbosity=0,
        )
        self.stdout.write(f"wrote {path}")
