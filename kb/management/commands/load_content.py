from django.core.management.base import BaseCommand, CommandError

from kb.ingest.loader import load
from kb.management.commands._output import report


class Command(BaseCommand):
    help = ("Read and check every file in the content folder, then apply all changes in one "
            "transaction. On any error nothing is changed.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="check and report what would change, but write nothing")
        parser.add_argument("--content-dir", default=None,
                            help="the content folder (default: the KB_CONTENT_DIR setting)")

    def handle(self, *args, dry_run=False, content_dir=None, **options):
        result = load(content_dir, dry_run=dry_run)
        errors = report(self, result.errors, content_dir)
        if errors:
            raise CommandError(f"{errors} error(s): nothing was loaded; the site is unchanged.")
        prefix = "would be: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
