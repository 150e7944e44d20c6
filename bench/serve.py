"""Child process: pages through Django's test client, against a loaded database.

    serve.py [--sample K] [--rounds R] [--sweep M]

Times the home page, every kind's index and K article pages spread over the
corpus (plus the pages with the most links out and in), R rounds each, after
one warm-up request per page:

- *rendered*: Django's cache is emptied before each round, so every request
  builds its page (kb/conditional.py caches rendered pages per load). The
  header and footer stay drawn in the process, as on a server after its
  first page: they show nothing of the content (kb/templatetags/fragments.py);
- *cached*: the same requests answered from that cache.

Queries are counted in separate passes (capturing them costs time), without
the BEGIN/COMMIT of the read snapshot. Finally M distinct article pages are
requested once each, to see whether the process grows with pages served.
"""
import argparse
import re
import statistics
import time

from common import django_setup, emit, percentile

TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET )", re.I)


def rss_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def spread(items, k):
    if k >= len(items):
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sweep", type=int, default=2000)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kb import kinds
    from kb.models import Article

    if not settings.DEBUG:
        # Production serves hashed static names from a manifest: build it once.
        call_command("collectstatic", interactive=False, verbosity=0)
    articles = list(Article.objects.order_by("id").values_list("kind", "slug"))
    most_out = (Article.objects.annotate(n=Count("outgoing_links")).order_by("-n", "id")
                .values_list("kind", "slug", "n").first())
    most_in = (Article.objects.annotate(n=Count("incoming_links")).order_by("-n", "id")
               .values_list("kind", "slug", "n").first())
    chosen = spread(articles, args.sample)
    for extra in (most_out, most_in):
        if extra[:2] not in chosen:
            chosen.append(extra[:2])
    groups = {
        "home": ["/"],
        "index": [f"/{kind.folder}/" for kind in kinds.KINDS],
        "article": [f"/{kind}/{slug}/" for kind, slug in chosen],
    }
    every_url = [url for urls in groups.values() for url in urls]
    client = Client()

    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    sizes = {url: len(get(url).content) for url in every_url}  # warm-up
    rss_warm = rss_mb()

    def timed_rounds(clear):
        """Wall and CPU time per request (one thread: CPU time is the server time an
        idle machine would show, wall time what this one did)."""
        times = {url: [] for url in every_url}
        cpu = {url: [] for url in every_url}
        for _ in range(args.rounds):
            if clear:
                cache.clear()
            for url in every_url:
                began, began_cpu = time.perf_counter(), time.process_time()
                get(url)
                times[url].append(time.perf_counter() - began)
                cpu[url].append(time.process_time() - began_cpu)
        return times, cpu

    def count_queries(clear):
        if clear:
            cache.clear()
        counts, statements, slowest = {}, {}, {}
        for url in every_url:
            with CaptureQueriesContext(connection) as captured:
                get(url)
            real = [q for q in captured.captured_queries if not TRANSACTION.match(q["sql"])]
            counts[url], statements[url] = len(real), len(captured)
            slowest[url] = sorted(([float(q["time"]), q["sql"][:200]] for q in real),
                                  reverse=True)[:3]
        return counts, statements, slowest

    rendered_times, rendered_cpu = timed_rounds(clear=True)
    rendered_queries, rendered_statements, slowest = count_queries(clear=True)
    cached_times, cached_cpu = timed_rounds(clear=False)
    cached_queries, _, _ = count_queries(clear=False)
    rss_timed = rss_mb()

    sweep = spread(articles, args.sweep)
    rss_steps = []
    for number, (kind, slug) in enumerate(sweep, 1):
        get(f"/{kind}/{slug}/")
        if number in (len(sweep) // 10, len(sweep) // 2, len(sweep)):
            rss_steps.append([number, rss_mb()])

    def summary(urls, times, cpu):
        every = [t * 1000 for url in urls for t in times[url]]
        every_cpu = [t * 1000 for url in urls for t in cpu[url]]
        return {"median_ms": round(statistics.median(every), 2),
                "p95_ms": round(percentile(every, 0.95), 2), "max_ms": round(max(every), 2),
                "cpu_median_ms": round(statistics.median(every_cpu), 2),
                "cpu_p95_ms": round(percentile(every_cpu, 0.95), 2)}

    result = {}
    for name, urls in groups.items():
        counts = [rendered_queries[url] for url in urls]
        weights = [sizes[url] for url in urls]
        result[name] = {
            "pages": len(urls), **summary(urls, rendered_times, rendered_cpu),
            "cached": summary(urls, cached_times, cached_cpu),
            "queries_min": min(counts), "queries_max": max(counts),
            "queries_median": statistics.median(counts),
            "statements_max": max(rendered_statements[url] for url in urls),
            "cached_queries_max": max(cached_queries[url] for url in urls),
            "kb_median": round(statistics.median(weights) / 1024, 1),
            "kb_max": round(max(weights) / 1024, 1),
        }
    slowest_index = max(groups["index"], key=lambda url: statistics.median(rendered_times[url]))
    result["index"]["slowest"] = slowest_index
    result["index"]["slowest_median_ms"] = round(
        statistics.median(rendered_times[slowest_index]) * 1000, 2)
    out_url = f"/{most_out[0]}/{most_out[1]}/"
    in_url = f"/{most_in[0]}/{most_in[1]}/"
    for key, url, links in (("most_links_out", out_url, most_out[2]),
                            ("most_links_in", in_url, most_in[2])):
        result[key] = {"url": url, "links": links, "queries": rendered_queries[url],
                       "median_ms": round(statistics.median(rendered_times[url]) * 1000, 2)}
    # The three slowest queries of the pages worth a look: [seconds, SQL].
    result["slowest_queries"] = {url: slowest[url] for url in (out_url, in_url, "/",
                                                               slowest_index)}
    result["memory"] = {"rss_after_warmup_mb": rss_warm, "rss_after_timing_mb": rss_timed,
                        "sweep": rss_steps}
    result["debug"] = settings.DEBUG
    emit(result)


if __name__ == "__main__":
    main()
