from django.core.management.base import BaseCommand, CommandError

from kb.ingest.loader import load
from kb.management.commands._output import as_json, count_line, report


class Command(BaseCommand):
    help = ("Check every file in the content folder as load_content would, writing nothing. "
            "Errors fail the check; warnings (advice such as an uncited figure) do not, "
            "unless --strict.")

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", default=None,
                            help="the content folder (default: the KB_CONTENT_DIR setting)")
        parser.add_argument("--strict", action="store_true",
                            help="fail on warnings too (for CI)")
        parser.add_argument("--format", choices=("text", "json"), default="text",
                            help="text for people (default), or one JSON document on stdout "
                                 "for tools")

    def handle(self, *args, content_dir=None, strict=False, format="text", **options):
        result = load(content_dir, full=True)
        problems = result.errors
        articles = len(result.plan.records) if result.plan else 0
        errors = sum(p.is_error for p in problems)
        failed = errors or (strict and problems)
        if format == "json":
            self.stdout.write(as_json(problems, articles, strict, content_dir))
        else:
            report(self, problems, content_dir)
        if failed:
            raise CommandError(f"{count_line(problems, strict)}; {articles} articles checked")
        if format == "text":
            line = f"content OK: {articles} articles checked"
            if problems:
                line += f"; {count_line(problems)}"
            self.stdout.write(self.style.SUCCESS(line))
