from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb import kinds
from kb.ingest.loader import read_all
from kb.ingest.slugs import is_slug, slugify
from kb.ingest.starter import starter_file


class Command(BaseCommand):
    help = ("Write content/KIND/SLUG.md from a template listing every front matter key of "
            "that kind, with its help, commented. The file passes check_content as written.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(kinds.BY_FOLDER), metavar="KIND",
                            help=f"the kind folder: {', '.join(kinds.BY_FOLDER)}")
        parser.add_argument("slug", metavar="SLUG",
                            help="the page address and file name: a-z, 0-9 and '-'")
        parser.add_argument("--title", default=None,
                            help="the page title (default: made from the slug)")
        parser.add_argument("--content-dir", default=None,
                            help="the content folder (default: the KB_CONTENT_DIR setting)")

    def handle(self, *args, kind, slug, title=None, content_dir=None, **options):
        content_dir = Path(content_dir or settings.KB_CONTENT_DIR)
        if not is_slug(slug):
            raise CommandError(f"slug {slug!r} may only use a-z, 0-9 and '-' "
                               f"(for example {slugify(slug) or 'my-page'!r})")
        path = content_dir / kind / f"{slug}.md"
        if path.exists():
            raise CommandError(f"{_shown(path)} already exists; edit it instead")
        records, _ = read_all(content_dir, settings.KB_MAX_FILE_BYTES)
        for record in records:
            names = {record.slug, *(slugify(a) for a in record.fields.get("aliases", []))}
            if slug in names:
                raise CommandError(f"'{slug}' is already the name of {record.path}: slugs and "
                                   "aliases are unique across the site")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_file(kind, slug, records, title=title), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"wrote {_shown(path)}"))
        self.stdout.write("Next: fill in the placeholders (TODO), then run "
                          "'manage.py check_content' or watch the page under 'make run'.")


def _shown(path):
    """The path as an editor would type it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(settings.BASE_DIR).as_posix()
    except ValueError:
        return str(path)
