"""Child process: pages through Django's test client, against a loaded database.

    serve.py [--sample K] [--rounds R] [--sweep M]

Times the home page, every kind's index and K article pages spread over the
corpus (plus the pages with the most links out and in), R rounds each after
one warm-up request; counts queries per page in a separate pass (capturing
queries costs time); then requests M distinct article pages once to see
whether the process grows with the number of pages served.
"""
import argparse
import statistics
import time

from common import django_setup, emit, percentile


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
    client = Client()

    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    sizes = {url: len(get(url).content) for urls in groups.values() for url in urls}  # warm-up
    rss_warm = rss_mb()
    times = {url: [] for urls in groups.values() for url in urls}
    for _ in range(args.rounds):
        for urls in groups.values():
            for url in urls:
                began = time.perf_counter()
                get(url)
                times[url].append(time.perf_counter() - began)
    queries = {}
    for urls in groups.values():
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                get(url)
            queries[url] = len(captured)
    rss_timed = rss_mb()

    sweep = spread(articles, args.sweep)
    rss_steps = []
    for number, (kind, slug) in enumerate(sweep, 1):
        get(f"/{kind}/{slug}/")
        if number in (len(sweep) // 10, len(sweep) // 2, len(sweep)):
            rss_steps.append([number, rss_mb()])

    result = {}
    for name, urls in groups.items():
        every = [t * 1000 for url in urls for t in times[url]]
        counts = [queries[url] for url in urls]
        weights = [sizes[url] for url in urls]
        result[name] = {
            "pages": len(urls), "median_ms": round(statistics.median(every), 2),
            "p95_ms": round(percentile(every, 0.95), 2), "max_ms": round(max(every), 2),
            "queries_min": min(counts), "queries_max": max(counts),
            "queries_median": statistics.median(counts),
            "kb_median": round(statistics.median(weights) / 1024, 1),
            "kb_max": round(max(weights) / 1024, 1),
        }
        if name == "index":
            result[name]["slowest"] = max(urls, key=lambda url: statistics.median(times[url]))
            result[name]["slowest_median_ms"] = round(
                statistics.median(times[result[name]["slowest"]]) * 1000, 2)
    out_url = f"/{most_out[0]}/{most_out[1]}/"
    in_url = f"/{most_in[0]}/{most_in[1]}/"
    result["most_links_out"] = {"url": out_url, "links": most_out[2], "queries": queries[out_url],
                                "median_ms": round(statistics.median(times[out_url]) * 1000, 2)}
    result["most_links_in"] = {"url": in_url, "links": most_in[2], "queries": queries[in_url],
                               "median_ms": round(statistics.median(times[in_url]) * 1000, 2)}
    result["memory"] = {"rss_after_warmup_mb": rss_warm, "rss_after_timing_mb": rss_timed,
                        "sweep": rss_steps}
    result["debug"] = settings.DEBUG
    emit(result)


if __name__ == "__main__":
    main()
