from django.core.management.base import BaseCommand, CommandError

from kb.ingest.loader import load
from kb.management.commands._output import report


class Command(BaseCommand):
    help = "Check every file in the content folder as load_content would, writing nothing."

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", default=None,
                            help="the content folder (default: the KB_CONTENT_DIR setting)")

    def handle(self, *args, content_dir=None, **options):
        result = load(content_dir, full=True)
        errors = report(self, result.errors)
        files = len(result.plan.records) if result.plan else 0
        if errors:
            raise CommandError(f"{errors} error(s) in content")
        self.stdout.write(self.style.SUCCESS(f"content OK: {files} articles checked"))
