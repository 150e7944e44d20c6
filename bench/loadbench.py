"""Child process: one loader step against the database in DATABASE_URL.

    loadbench.py migrate            create the schema (not part of any figure)
    loadbench.py flush              empty every table (a fresh database on a server)
    loadbench.py load [--profile F] run kb.ingest.loader.load() on KB_CONTENT_DIR, timed
    loadbench.py pick               the pages the one-file edits change

Prints one JSON line (bench/common.py ``emit``).
"""
import argparse
import time

STARTED = time.perf_counter()

from common import django_setup, emit  # noqa: E402


def migrate():
    from django.core.management import call_command
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    return {"migrate_s": round(time.perf_counter() - began, 3)}


def flush():
    from django.core.management import call_command
    call_command("flush", interactive=False, verbosity=0)
    return {}


def load(profile=None):
    from django.conf import settings
    from kb.ingest.loader import load as run_load

    setup_s = time.perf_counter() - STARTED
    began = time.perf_counter()
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        result = profiler.runcall(run_load, settings.KB_CONTENT_DIR)
        profiler.dump_stats(profile)
    else:
        result = run_load(settings.KB_CONTENT_DIR)
    load_s = time.perf_counter() - began
    problems = [str(e) for e in result.errors if e.is_error]
    plan = result.plan
    return {
        "load_s": round(load_s, 3), "startup_s": round(setup_s, 3), "ok": result.ok,
        "applied": result.applied, "errors": problems[:5], "error_count": len(problems),
        "created": len(plan.created), "updated": len(plan.updated),
        "removed": len(plan.removed), "unchanged": len(plan.unchanged),
        "rerendered": len(plan.rerendered), "rendered": len(plan.rendered),
    }


def pick():
    """A therapy with the median number of pages linking to it, and the most linked one."""
    from django.db.models import Count
    from kb.models import Article

    rows = list(Article.objects.filter(kind="therapies")
                .annotate(inbound=Count("incoming_links__source", distinct=True))
                .order_by("inbound", "slug").values("slug", "source_path", "inbound"))
    if not rows:
        return {}
    return {"typical": rows[len(rows) // 2], "hub": rows[-1]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["migrate", "flush", "load", "pick"])
    parser.add_argument("--profile", help="write a cProfile of load() here")
    args = parser.parse_args()
    django_setup()
    if args.step == "load":
        emit(load(args.profile))
    else:
        emit({"migrate": migrate, "flush": flush, "pick": pick}[args.step]())


if __name__ == "__main__":
    main()
