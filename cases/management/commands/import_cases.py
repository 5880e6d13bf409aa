from django.core.management.base import BaseCommand, CommandError

from cases.importer import ImportFailed, import_cases
from cases.seed import SeedError


class Command(BaseCommand):
    help = "Import case studies from seed text files, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--editorial", metavar="TOML", help="facts the text does not state")
        parser.add_argument("--draft", action="store_true", help="new cases start as drafts")
        parser.add_argument(
            "--overwrite", action="store_true", help="also replace what editors changed"
        )

    def handle(self, *args, files, dry_run, editorial, draft, overwrite, **options):
        try:
            report = import_cases(
                files, dry_run=dry_run, editorial=editorial, draft=draft, overwrite=overwrite
            )
        except (SeedError, ImportFailed) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
