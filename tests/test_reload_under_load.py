"""Reload under load (issue #7): while ``load_content`` applies a change,
concurrent requests keep succeeding and every page they get is from one load,
never half of two: its body, its relation panels and backlinks (other
articles' rows) and search results (the search index) all agree.

Each load rewrites every file with a version tag ([v1], [v2], ...) in titles,
bodies and headings; a page that shows two tags was built across a commit.
Bounded: a fixed number of loads, a few threads, a time limit.
"""
import re
import threading
import time
import urllib.error
import urllib.request

import pytest

from kb.ingest.loader import load

PAGES = 8
LOADS = 6
THREADS = 4
TAG_RE = re.compile(r"\[v(\d+)\]")


def write_version(root, version):
    folder = root / "topics"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(PAGES):
        nxt, prev = (n + 1) % PAGES, (n - 1) % PAGES
        (folder / f"page-{n}.md").write_text(
            f"---\ntitle: Page {n} [v{version}]\nsummary: Summary of page {n} [v{version}].\n"
            f"last_reviewed: 2026-11-01\nsee_also: [page-{prev}]\n---\n"
            f"Marker text [v{version}] on page {n}, next is [[page-{nxt}]].\n\n"
            f"## Part [v{version}] {{#part}}\n\nMore marker words [v{version}] and "
            f"[[page-{prev}#part]].\n", encoding="utf-8")


def fetch(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode("utf-8")


def test_pages_stay_whole_while_loads_are_applied(content_dir, transactional_db, live_server):
    root = content_dir.parent / "versioned"
    write_version(root, 1)
    assert load(root).ok
    paths = [f"/topics/page-{n}/" for n in range(PAGES)] + ["/topics/", "/search/?q=marker"]
    stop = threading.Event()
    seen, problems, counts = [], [], {"requests": 0}
    lock = threading.Lock()

    def reader(offset):
        i = offset
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                status, body = fetch(live_server.url + path)
            except (urllib.error.URLError, OSError) as exc:
                with lock:
                    problems.append(f"{path}: {exc}")
                continue
            tags = set(TAG_RE.findall(body))
            with lock:
                counts["requests"] += 1
                if status != 200 or len(tags) != 1:
                    problems.append(f"{path}: status {status}, versions {sorted(tags)}")
                else:
                    seen.append(tags.pop())

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    try:
        for version in range(2, LOADS + 2):
            time.sleep(0.1)
            write_version(root, version)
            result = load(root)
            assert result.ok and result.applied, [str(e) for e in result.errors]
            if time.monotonic() > deadline:
                break
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert problems == []
    # The readers really overlapped the loads: they saw several versions.
    assert len(set(seen)) >= 3, (counts, sorted(set(seen)))
    assert counts["requests"] >= 50
