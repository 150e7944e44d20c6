"""Search latency on a loaded database (issue #5): p50/p95 for 50 fixed queries.

    DATABASE_URL=sqlite:///bench/out/sqlite-10000.db .venv/bin/python bench/search_bench.py

The 50 queries are drawn deterministically from the loaded content: single
words, two-word phrases, exact titles, aliases and misspelt names (two letters
swapped), so the mix is the same on every run and on both databases. Each
query runs once to warm caches, then ``--rounds`` times; the figure is the
server-side time of ``kb.search.search`` plus the rendered /search/ page size.

Wall time (``perf_counter``) and this process's CPU time (``process_time``) are
both reported: on a shared machine the wall figures include waiting for a core,
while the CPU figures do not (on PostgreSQL they leave out the server's own
work, which runs in another process). On PostgreSQL running on this machine,
the server's CPU time for each search is read too (the backend's
``/proc/PID/schedstat``, in nanoseconds), and "total CPU" is client plus
server: what a search costs whatever else the machine is doing, where wall
time includes waiting for a core. Each query's results should be the same in
every round; those that are not are counted and named (on PostgreSQL a scan
that started where another left off once made them differ). ``--per-query``
lists each query's median, slowest first, to see which kinds cost most; ``--phases``
splits each query's CPU time between the steps of ``kb.search.search`` (the
name and body tiers, the count, snippets, the exact-name look-up, ...).

Django's DEBUG is switched off for the timing, as on a server: with DEBUG on,
every SQL statement is logged and, on SQLite, its parameters are quoted by one
more query (``--debug`` keeps it on, as the older figures in BENCHMARKS.md were measured).
"""
import argparse
import collections
import functools
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from kb.models import Alias, Article, Section  # noqa: E402
import kb.search  # noqa: E402
from kb.search import search  # noqa: E402
from kb.search.text import tokens  # noqa: E402


def misspell(word):
    if len(word) < 6:
        return word + "e"
    middle = len(word) // 2
    return word[:middle - 1] + word[middle] + word[middle - 1] + word[middle + 1:]


QUERY_MIX = {"single words": 15, "two-word phrases": 5, "exact titles": 10, "aliases": 10,
             "misspellings": 10}


def take(candidates, count, chosen):
    """The first ``count`` candidates not already in ``chosen`` (which they join).

    Drawing each category this way keeps the set free of repeats (the
    generated corpus has thousands of identical headings and some repeated
    titles), so every query in the fixed set is timed once per round.
    """
    picked = []
    for candidate in candidates:
        if len(picked) == count:
            break
        if candidate and candidate not in chosen:
            chosen.add(candidate)
            picked.append(candidate)
    return picked


def fixed_queries():
    """The fixed query set: 50 distinct queries in the mix of ``QUERY_MIX``.

    Rows are taken evenly spaced in the order of their source file (sorted
    here, not by the database, whose collation may differ), then position:
    ids are not enough, as two loads of the same content can number
    sections and aliases differently. So the same content loaded into SQLite
    or PostgreSQL gives the same queries. Single words come from headings
    first, then from those sections' text (the generated corpus's headings
    hold only 10 distinct words of 5 letters or more); misspellings swap two
    letters of a title's longest word. Small content (fewer than 400 aliases)
    takes the rows in between too.
    """
    articles = [title for _, title in sorted(Article.objects.values_list("source_path", "title"))]
    titles = articles[:2000:40] + articles   # then the rest, for content with few articles
    aliases = [name for *_, name in sorted(
        Alias.objects.values_list("article__source_path", "slug", "name"))]
    aliases = aliases[:2000:40] + aliases
    keys = sorted(Section.objects.exclude(anchor="top")
                  .values_list("article__source_path", "position", "id"))[:2000:100]
    by_id = Section.objects.in_bulk([key[2] for key in keys])
    sections = [(by_id[key[2]].heading, by_id[key[2]].text) for key in keys]
    heading_words = [w for h, _ in sections for w in tokens(h) if len(w) > 4]
    text_words = [w for _, t in sections for w in tokens(t) if len(w) > 4 and w.isalpha()]
    phrases = [" ".join(tokens(h)[:2]) for h, _ in sections if len(tokens(h)) >= 2]
    typos = [misspell(max(tokens(t), key=len)) for t in titles if tokens(t)]
    chosen = set()
    queries = (take(heading_words + text_words, QUERY_MIX["single words"], chosen)
               + take(phrases, QUERY_MIX["two-word phrases"], chosen)
               + take(titles, QUERY_MIX["exact titles"], chosen)
               + take(aliases, QUERY_MIX["aliases"], chosen)
               + take(typos, QUERY_MIX["misspellings"], chosen))
    return queries


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lower, upper = int(k), min(int(k) + 1, len(values) - 1)
    return values[lower] + (values[upper] - values[lower]) * (k - lower)


def index_size():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'kb_search_fts%' "
                               "OR name LIKE 'kb_search_names%'")
                return cursor.fetchone()[0]
            except Exception:
                return None
        cursor.execute("SELECT pg_relation_size('kb_section_search_gin') + "
                       "pg_column_size(search_vector)::bigint * 0 FROM kb_section LIMIT 1")
        row = cursor.fetchone()
        cursor.execute("SELECT SUM(pg_column_size(search_vector)) FROM kb_section")
        vectors = cursor.fetchone()[0] or 0
        return (row[0] if row else 0) + vectors


# The steps of kb.search.search, by the function that does each.
PHASES = [("kb.search", "exact_match"), ("kb.search", "synonyms"), ("kb.search", "correct"),
          ("backend", "search"), ("backend", "matches_more_than"), ("backend", "snippets"),
          ("kb.search", "_hydrate")]


def time_phases(spent):
    """Wrap each step so its CPU time (ms) adds up in ``spent`` under its name.

    The backend's ``search`` is split by tier: "names" (title, aliases,
    heading) and "body". Nested steps (``synonyms`` calls ``exact_match``)
    count in both.
    """
    backend = kb.search._backend()
    for owner, name in PHASES:
        module = kb.search if owner == "kb.search" else backend
        original = getattr(module, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            label = _name
            if _name == "search":
                label = "names tier" if kwargs.get("names_only") else "body tier"
            start = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[label] += (time.process_time() - start) * 1000
        setattr(module, name, functools.wraps(original)(timed))


def shown(results):
    """What a reader sees of ``results``: pages, sections and scores, the count."""
    return (results.total, results.total_is_estimate,
            tuple((hit.article.id, tuple((s.anchor, s.score) for s in hit.sections))
                  for hit in results.hits))


def server_cpu_reader():
    """A function giving the database backend's CPU time so far (ms), or None.

    Only for PostgreSQL on this machine: the backend serving this connection
    is a local process whose scheduler statistics (/proc/PID/schedstat, first
    field: nanoseconds on a CPU) anyone may read.
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    try:
        path.read_text()
    except OSError:
        return None
    return lambda: int(path.read_text().split()[0]) / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per query")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--per-query", action="store_true",
                        help="also print each query's median wall/CPU time and hit count")
    parser.add_argument("--phases", action="store_true",
                        help="also print each query's median CPU time per step of the search")
    parser.add_argument("--debug", action="store_true",
                        help="keep Django's DEBUG as configured (SQL logging on by default)")
    args = parser.parse_args()
    if not args.debug:
        settings.DEBUG = False
    spent = collections.defaultdict(float)
    if args.phases:
        time_phases(spent)

    queries = fixed_queries()
    wanted = sum(QUERY_MIX.values())
    print(f"{len(queries)} distinct queries"
          + ("" if len(queries) == wanted else f" (fewer than {wanted}: small content)"),
          file=sys.stderr)
    client = Client()
    timings, cpu_timings, sizes, hits, per_query, phase_rows = [], [], [], [], [], []
    total_cpu_timings, unstable = [], []
    for query in queries:
        search(query)  # warm
        # Looked up for each query: the test client's requests may reconnect.
        server_cpu = server_cpu_reader()
        walls, cpus, totals, steps = [], [], [], collections.defaultdict(list)
        seen_results = set()
        for _ in range(args.rounds):
            spent.clear()
            start_server = server_cpu() if server_cpu else 0.0
            start, start_cpu = time.perf_counter(), time.process_time()
            results = search(query)
            cpus.append((time.process_time() - start_cpu) * 1000)
            walls.append((time.perf_counter() - start) * 1000)
            if server_cpu:
                totals.append(cpus[-1] + server_cpu() - start_server)
            seen_results.add(shown(results))
            for label, ms in spent.items():
                steps[label].append(ms)
        phase_rows.append((statistics.median(cpus), query,
                           {label: statistics.median(v) for label, v in steps.items()}))
        if len(seen_results) > 1:
            unstable.append(query)
        timings += walls
        cpu_timings += cpus
        total_cpu_timings += totals
        hits.append(results.total)
        per_query.append((statistics.median(walls), statistics.median(cpus),
                          statistics.median(totals) if totals else None, results.total,
                          results.total_is_estimate, query))
        response = client.get("/search/", {"q": query}, HTTP_HOST="127.0.0.1")
        sizes.append(len(response.content))
    figures = {
        "database": connection.vendor,
        "debug": settings.DEBUG,
        "articles": Article.objects.count(),
        "sections": Section.objects.count(),
        "queries": len(queries),
        "rounds": args.rounds,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(max(timings), 2),
        "cpu_p50_ms": round(statistics.median(cpu_timings), 2),
        "cpu_p95_ms": round(percentile(cpu_timings, 95), 2),
        "cpu_max_ms": round(max(cpu_timings), 2),
        # Client and database server together (PostgreSQL on this machine only).
        "total_cpu_p50_ms": round(statistics.median(total_cpu_timings), 2)
        if total_cpu_timings else None,
        "total_cpu_p95_ms": round(percentile(total_cpu_timings, 95), 2)
        if total_cpu_timings else None,
        "queries_with_hits": sum(1 for h in hits if h),
        # Queries whose results were not the same in every round (should be 0).
        "queries_with_varying_results": len(unstable),
        "page_bytes_median": int(statistics.median(sizes)),
        "page_bytes_max": max(sizes),
        "index_bytes": index_size(),
    }
    print(json.dumps(figures, indent=2))
    print(f"queries ({len(queries)}):", json.dumps(queries))
    if unstable:
        print("results varied between rounds for:", json.dumps(unstable))
    if args.per_query:
        for wall, cpu, both, total, estimate, query in sorted(per_query, reverse=True):
            count = f"more than {total}" if estimate else str(total)
            both = f"{both:8.2f} ms total cpu " if both is not None else ""
            print(f"{wall:8.2f} ms wall {cpu:8.2f} ms cpu {both}{count:>14} pages  {query}")
    if args.phases:
        labels = ["names tier", "body tier", "matches_more_than", "snippets", "_hydrate",
                  "exact_match", "synonyms", "correct"]
        print("median CPU ms per step (nested steps count twice: synonyms includes exact_match)")
        print(f"{'total':>8}" + "".join(f"{label[:11]:>12}" for label in labels) + "  query")
        for cpu, query, steps in sorted(phase_rows, reverse=True):
            print(f"{cpu:8.2f}" + "".join(f"{steps[label]:12.2f}" if label in steps else " " * 12
                                          for label in labels) + f"  {query}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
