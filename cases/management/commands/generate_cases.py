from django.core.management.base import BaseCommand, CommandError

from cases.importer import ImportFailed
from cases.synthetic import generate_into_database, generate_text_file


class Command(BaseCommand):
    help = (
        "Generate N synthetic, realistic cases (the same for the same --seed) into the "
        "database, or as seed text for import_cases with --as-text."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int, metavar="N", help="how many cases")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--draft-ratio",
            type=float,
            default=0.0,
            metavar="R",
            help="share of the cases that are drafts, 0 to 1 (default 0)",
        )
        parser.add_argument(
            "--as-text", metavar="FILE", help="write seed text to FILE instead of the database"
        )

    def handle(self, *args, n, seed, draft_ratio, as_text, **options):
        if as_text and draft_ratio:
            raise CommandError(
                "--draft-ratio cannot go with --as-text: seed text has no status "
                "(import it with `import_cases --draft` for drafts)"
            )
        try:
            if as_text:
                report = generate_text_file(as_text, n, seed)
            else:
                report = generate_into_database(n, seed, draft_ratio)
        except (ValueError, OSError, ImportFailed) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
