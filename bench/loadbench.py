"""Child process: one loader step against the database in DATABASE_URL.

    loadbench.py migrate            create the schema (not part of any figure)
    loadbench.py flush              empty every table (a fresh database on a server)
    loadbench.py load [--profile F] run kb.ingest.loader.load() on KB_CONTENT_DIR, timed
    loadbench.py pick               the pages the one-file edits change

Prints one JSON line (bench/common.py ``emit``).
"""
import argparse
import os
import resource
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


class Phases:
    """Wall and CPU time of each step of a load (this process, and the workers it reaped).

    Wraps the loader's steps from outside; nothing in kb/ is changed for it.
    """

    def __init__(self):
        self.rows = {}

    def wrap(self, module, name, label):
        function = getattr(module, name)

        def timed(*args, **kwargs):
            began = (time.perf_counter(), time.process_time(), _children_cpu())
            try:
                return function(*args, **kwargs)
            finally:
                row = self.rows.setdefault(label, [0.0, 0.0, 0.0])
                row[0] += time.perf_counter() - began[0]
                row[1] += time.process_time() - began[1]
                row[2] += _children_cpu() - began[2]

        setattr(module, name, timed)

    def report(self):
        return {label: {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                        "workers_cpu_s": round(workers, 3)}
                for label, (wall, cpu, workers) in self.rows.items()}


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load(profile=None):
    from django.conf import settings
    from kb.ingest import graph, loader, parallel, sync, warnings
    from kb.ingest.loader import load as run_load

    phases = Phases()
    phases.wrap(loader, "read_all", "read")
    phases.wrap(graph, "build_index", "index")
    phases.wrap(graph, "check_relations", "relations")
    phases.wrap(loader, "_classify", "classify")
    phases.wrap(loader, "_render", "render")
    phases.wrap(graph, "check_anchors", "anchors")
    phases.wrap(warnings, "check", "warnings")
    phases.wrap(sync, "apply", "sync")
    setup_s = time.perf_counter() - STARTED
    cpu_before = time.process_time(), _children_cpu()
    began = time.perf_counter()
    if profile:
        import cProfile
        # CPU time, not wall time: waiting for the render workers costs the
        # loader nothing, and other work on the machine does not show up.
        profiler = cProfile.Profile(time.process_time)
        # A forked render worker would inherit the profiler, run ~5 times
        # slower under it, and its figures would be thrown away.
        os.register_at_fork(after_in_child=profiler.disable)
        result = profiler.runcall(run_load, settings.KB_CONTENT_DIR)
        profiler.dump_stats(profile)
    else:
        result = run_load(settings.KB_CONTENT_DIR)
    load_s = time.perf_counter() - began
    self_cpu = time.process_time() - cpu_before[0]
    workers_cpu = _children_cpu() - cpu_before[1]
    problems = [str(e) for e in result.errors if e.is_error]
    plan = result.plan
    return {
        "load_s": round(load_s, 3), "startup_s": round(setup_s, 3), "ok": result.ok,
        "applied": result.applied, "errors": problems[:5], "error_count": len(problems),
        "created": len(plan.created), "updated": len(plan.updated),
        "removed": len(plan.removed), "unchanged": len(plan.unchanged),
        "rerendered": len(plan.rerendered), "rendered": len(plan.rendered),
        "load_cpu_s": round(self_cpu, 3), "workers_cpu_s": round(workers_cpu, 3),
        "workers": parallel.workers(), "phases": phases.report(),
        "idle_estimate_s": round(idle_estimate(self_cpu, workers_cpu, phases,
                                                 parallel.workers()), 3),
    }


def idle_estimate(self_cpu, workers_cpu, phases, cores):
    """What the load would take on an idle machine, from CPU times.

    The loader's CPU outside the render phase runs alone; inside it (a first
    load writes pages as they come back: sync.EarlyWriter) it shares the
    cores with the workers, so that phase takes whichever is longer: the
    loader's part, or everyone's CPU spread over the cores.
    """
    rendering = phases.rows.get("render", [0.0, 0.0, 0.0])[1]
    alone = self_cpu - rendering
    return alone + max(rendering, (rendering + workers_cpu) / cores) if workers_cpu else self_cpu


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
    parser.add_argument("--serial", action="store_true",
                        help="render in this process only (the loader before issue 8)")
    args = parser.parse_args()
    django_setup()
    if args.serial:
        from kb.ingest import parallel
        parallel.MIN_PARALLEL = float("inf")
    if args.step == "load":
        emit(load(args.profile))
    else:
        emit({"migrate": migrate, "flush": flush, "pick": pick}[args.step]())


if __name__ == "__main__":
    main()
