from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.export import ExportError, export_site
from kb.export_check import check_export


class Command(BaseCommand):
    help = ("Write the whole site (every page, static files, sitemap.xml, robots.txt, feed.xml) "
            "as plain files in OUTDIR, to serve from any static host or CDN with no Python.")

    def add_arguments(self, parser):
        parser.add_argument("outdir", help="a new or empty folder, or an earlier export to replace")
        parser.add_argument("--base-url", default=settings.KB_BASE_URL or None,
                            help="the public address of the export, e.g. https://guide.example.org "
                                 "(canonical links, sitemap, feed; default: the KB_BASE_URL setting)")
        parser.add_argument("--search-url", default=settings.KB_EXPORT_SEARCH_URL,
                            help="a live instance's search address (https://.../search/) for the "
                                 "search box; without it /search/ lists every page A-Z")
        parser.add_argument("--check", action="store_true",
                            help="then crawl the written files: fail on any broken internal link "
                                 "or anchor")

    def handle(self, *args, outdir, base_url=None, search_url="", check=False, **options):
        if not base_url:
            raise CommandError("give --base-url (or set KB_BASE_URL): sitemaps and feeds need "
                               "absolute addresses")
        try:
            result = export_site(outdir, base_url, search_url)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{len(result.pages)} pages, {len(result.redirects)} redirects, "
            f"{len(result.files)} other files, {result.static_files} static files "
            f"-> {result.out}"))
        if check:
            problems = check_export(result.out, base_url)
            for problem in problems:
                self.stderr.write(self.style.ERROR(problem))
            if problems:
                raise CommandError(f"{len(problems)} broken link(s) or anchor(s) in the export")
            self.stdout.write(self.style.SUCCESS("checked: every internal link and anchor lands"))
