from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.fixture import build_fixture
from cases.seed import SeedError


class Command(BaseCommand):
    help = "Rebuild fixtures/catalogue.json from fixtures/source/ (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="fail if the built fixture is stale"
        )

    def handle(self, *args, check, **options):
        target = Path(settings.CATALOGUE_FIXTURE)
        try:
            text = build_fixture(Path(settings.CATALOGUE_SOURCE_DIR))
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{target} is stale: run `python manage.py build_fixtures` and commit it"
                )
            self.stdout.write(f"{target.name} is up to date")
        elif current == text:
            self.stdout.write(f"{target.name} unchanged")
        else:
            target.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {target}")
