import gc

from django.core.management.base import BaseCommand, CommandError

from kb.management.commands._output import report


class Command(BaseCommand):
    help = ("Read and check every file in the content folder, then apply all changes in one "
            "transaction. On any error nothing is changed.")
    # Django's system checks import every URLconf and view (~0.15 s), on a
    # command an editor runs after each edit (issue 8: a reload under 2 s).
    # They check code, not content: `manage.py check`, runserver and migrate
    # run them.
    requires_system_checks = []

    def run_from_argv(self, argv):
        """Run as ``manage.py load_content``: the process ends right after.

        What Django has built by now lives until the end, so it is left out
        of garbage collections from here on (``gc.freeze``): importing the
        loader (Markdown, bleach) would otherwise walk all of it again
        (~30 ms of an editor's reload, issue 8). Python's clean-up at exit
        walks every object still alive, Django's and the load's (~0.2 s):
        Django has closed the database connections by the end (so SQLite
        folds in its write-ahead log); the rest is left to the operating
        system. ``call_command`` (tests, other code) does not come through here.
        """
        gc.freeze()
        try:
            super().run_from_argv(argv)
        finally:
            gc.freeze()

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="check and report what would change, but write nothing")
        parser.add_argument("--content-dir", default=None,
                            help="the content folder (default: the KB_CONTENT_DIR setting)")

    def handle(self, *args, dry_run=False, content_dir=None, **options):
        from kb.ingest.loader import load  # imported here: after run_from_argv's gc.freeze

        result = load(content_dir, dry_run=dry_run)
        errors = report(self, result.errors, content_dir)
        if errors:
            raise CommandError(f"{errors} error(s): nothing was loaded; the site is unchanged.")
        prefix = "would be: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
