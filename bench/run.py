"""The performance suite of issue 8: ``make bench`` runs this.

    python bench/run.py [--sizes 1000,10000] [--quick] [--skip pg,mkdocs,...] [--report FILE]

For each corpus size N (bench/corpus.py, cached in bench/out/corpus-N):

- loader: a full load into a fresh SQLite database, a reload with nothing
  changed, and three one-file edits (a body edit; a title edit of a typical
  page, whose linking pages must re-render; the same on the most-linked page),
  each undone by a further reload; every step in its own process
  (bench/loadbench.py), with wall time, CPU time and peak memory;
- the same on PostgreSQL: the server in DATABASE_URL when it names one, else
  a throwaway server (bench/pg.py) when the binaries are installed;
- the floor and the loader's stages per article (bench/floor.py), and the
  floor alone on 300 articles just before and just after the SQLite full
  load: the full-load target is judged against those two;
- the peer: ``mkdocs build`` with its default theme, with the full navigation
  and with none, from a separate virtualenv (bench/.venv-mkdocs);
- serving through Django's test client (bench/serve.py).

Results are merged by size into bench/out/results.json; ``--report FILE``
rewrites the figures between the ``bench:begin``/``bench:end`` marks of FILE
(BENCHMARKS.md) and leaves the prose around them alone.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH, OUT, PRIORITY, PYTHON, django_env, run_child
from floor import floor_ms

MKDOCS_VENV = BENCH / ".venv-mkdocs"
MKDOCS_VERSION = "1.6.1"
# Above this many pages the full-navigation MkDocs build is skipped: every page
# embeds the whole navigation, so the build grows with N² (hours at 10,000).
MKDOCS_FULL_NAV_MAX = 2000
# Articles the floor is timed on just before and just after the SQLite full
# load (~7 s each): the figure the full-load target is judged against.
FLOOR_AROUND = 300


def log(message):
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# --- corpus -----------------------------------------------------------------------------------

def ensure_corpus(n):
    folder = OUT / f"corpus-{n}"
    stamp = hashlib.sha256((BENCH / "corpus.py").read_bytes()).hexdigest()
    stamp_file = folder / ".stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    log(f"generating {n} articles into {folder}")
    began = time.perf_counter()
    subprocess.run([PYTHON, BENCH / "corpus.py", str(n), folder], check=True,
                   stdout=subprocess.DEVNULL)
    stamp_file.write_text(stamp)
    return folder, round(time.perf_counter() - began, 2)


def corpus_stats(folder):
    words, sizes, kinds = [], [], {}
    for path in folder.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        words.append(len(text[4:].partition("\n---\n")[2].split()))
        sizes.append(len(text.encode()))
        kinds[path.parent.name] = kinds.get(path.parent.name, 0) + 1
    return {"articles": len(words), "words_mean": round(sum(words) / len(words)),
            "words_min": min(words), "words_max": max(words),
            "mb": round(sum(sizes) / 2 ** 20, 1), "kinds": dict(sorted(kinds.items()))}


# --- loader -----------------------------------------------------------------------------------

def loadbench(step, env, *extra):
    return run_child([PYTHON, BENCH / "loadbench.py", step, *extra], env=env)


def edit_body(text):
    return text + "\nA sentence added by the benchmark's one-file edit.\n"


def edit_title(text):
    return re.sub(r"^title: (.*)$", r"title: \1 (edited)", text, count=1, flags=re.M)


def loader_suite(n, corpus, url, fresh, result, save, profile_dir=None, floor_sample=0):
    """Full load, no-op reload and one-file edits against the database at ``url``.

    Fills ``result`` step by step and calls ``save()`` after each, so a run cut
    short keeps what it measured. With ``floor_sample``, the floor is timed on
    that many articles just before and just after the full load
    (``result["floor_around"]``, ms per article): the target compares the
    load with the floor of the same minutes, not of a pass run minutes later
    on a machine whose speed drifts.
    """
    env = django_env(url, corpus)
    fresh()
    migrate = loadbench("migrate", env)
    log(f"  full load of {n} ({url.split(':')[0]})")
    extra = ["--profile", profile_dir / "full.prof"] if profile_dir else []
    result["migrate_s"] = migrate["migrate_s"]
    around = []
    if floor_sample:
        around.append(floor_ms(floor_suite(corpus, floor_sample, floor_only=True)["floor"]))
    result["full"] = _check(loadbench("load", env, *extra))
    if floor_sample:
        around.append(floor_ms(floor_suite(corpus, floor_sample, floor_only=True)["floor"]))
        result["floor_around"] = around
    save()
    log("  reload, nothing changed")
    result["noop"] = _check(loadbench("load", env))
    save()
    picks = loadbench("pick", env)
    edits = [("body_edit", picks["typical"], edit_body),
             ("title_edit", picks["typical"], edit_title),
             ("hub_title_edit", picks["hub"], edit_title)]
    for name, page, change in edits:
        path = corpus / page["source_path"]
        original = path.read_bytes()
        log(f"  {name} of {page['source_path']} ({page['inbound']} pages link to it)")
        try:
            path.write_text(change(original.decode("utf-8")), encoding="utf-8")
            extra = ["--profile", profile_dir / f"{name}.prof"] if profile_dir else []
            step = _check(loadbench("load", env, *extra))
        finally:
            path.write_bytes(original)
        step["page"], step["inbound"] = page["source_path"], page["inbound"]
        result[name] = step
        save()
        step["undo_s"] = _check(loadbench("load", env))["load_s"]
        save()
    return result


def _check(step):
    if not step.get("ok"):
        raise RuntimeError(f"load failed: {step.get('errors')}")
    return step


def sqlite_suite(n, corpus, result, save, profile_dir=None, floor_sample=0):
    database = OUT / f"sqlite-{n}.db"

    def fresh():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)

    loader_suite(n, corpus, f"sqlite:///{database}", fresh, result, save, profile_dir,
                 floor_sample)
    result["db_mb"] = round(database.stat().st_size / 2 ** 20, 1)
    return f"sqlite:///{database}"


# --- floor, peer, serving ---------------------------------------------------------------------

def floor_suite(corpus, sample, floor_only=False):
    env = django_env("sqlite:///:memory:", corpus)
    return run_child([PYTHON, BENCH / "floor.py", corpus, "--sample", sample,
                      *(["--floor-only"] if floor_only else [])], env=env)


def ensure_mkdocs():
    mkdocs = MKDOCS_VENV / "bin" / "mkdocs"
    if not mkdocs.exists():
        log(f"installing mkdocs {MKDOCS_VERSION} into {MKDOCS_VENV}")
        subprocess.run([sys.executable, "-m", "venv", MKDOCS_VENV], check=True)
        subprocess.run([MKDOCS_VENV / "bin" / "pip", "install", "-q",
                        f"mkdocs=={MKDOCS_VERSION}"], check=True)
    return mkdocs


def mkdocs_suite(n, corpus, full_nav_max):
    mkdocs = ensure_mkdocs()
    result = {}
    for variant in ("nav", "no_nav"):
        if variant == "nav" and n > full_nav_max:
            result[variant] = None
            continue
        folder = OUT / f"mkdocs-{n}-{variant}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        config = folder / "mkdocs.yml"
        # Default theme; the Markdown extensions our loader uses; our own [[links]]
        # stay plain text (MkDocs has no such syntax), which only makes its work lighter.
        config.write_text(
            f"site_name: Bench {n}\ndocs_dir: {corpus}\nsite_dir: {folder / 'site'}\n"
            "theme: {name: mkdocs}\n"
            + ("nav: []\n" if variant == "no_nav" else "")
            + "markdown_extensions: [tables, footnotes, attr_list, def_list, admonition, "
              "sane_lists, {toc: {permalink: true}}]\n")
        log(f"  mkdocs build, {variant}")
        step = run_child([mkdocs, "build", "-q", "-f", config], json_result=False)
        result[variant] = {"build_s": step["process_wall_s"], "cpu_s": step["cpu_s"],
                           "max_rss_mb": step["max_rss_mb"]}
        shutil.rmtree(folder, ignore_errors=True)
    return result


def serve_suite(url, corpus, sample, rounds, sweep):
    env = django_env(url, corpus, DJANGO_DEBUG=0, DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                     DJANGO_SECURE_SSL_REDIRECT=0, DJANGO_ALLOWED_HOSTS="testserver",
                     DJANGO_STATIC_ROOT=OUT / "static")
    return run_child([PYTHON, BENCH / "serve.py", "--sample", sample, "--rounds", rounds,
                      "--sweep", sweep], env=env)


# --- machine ----------------------------------------------------------------------------------

def machine():
    def first(path, prefix):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return None

    probe = subprocess.run(
        [PYTHON, "-c", "import django, markdown, bleach, yaml, sqlite3; print(django.__version__,"
                       " markdown.__version__, bleach.__version__, yaml.__version__,"
                       " yaml.__with_libyaml__, sqlite3.sqlite_version)"],
        capture_output=True, text=True, check=True).stdout.split()
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(), "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gb": round(int(first("/proc/meminfo", "MemTotal").split()[0]) / 2 ** 20, 1),
        "kernel": platform.release(), "python": platform.python_version(),
        "django": probe[0], "markdown": probe[1], "bleach": probe[2], "pyyaml": probe[3],
        "libyaml": probe[4] == "True", "sqlite": probe[5],
        "loadavg_start": os.getloadavg()[0],
    }


# --- main ---------------------------------------------------------------------------------------

def parse_sizes(text):
    return [int(part) for part in re.split(r"[,\s]+", text.strip()) if part]


def main():
    parser = argparse.ArgumentParser(description="Run the performance suite (issue 8).")
    parser.add_argument("--sizes", default="",
                        help="corpus sizes, e.g. '1000,10000' (the default; 300 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="small samples (default size 300): a smoke run in about a minute")
    parser.add_argument("--skip", default="", help="comma list of: pg, mkdocs, floor, serve")
    parser.add_argument("--report", type=Path, help="rewrite the figures block of this file")
    parser.add_argument("--results", type=Path, default=OUT / "results.json",
                        help="the JSON file results are merged into, by size")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: render the report from --results")
    parser.add_argument("--serve-rounds", type=int, default=5,
                        help="rounds of timed requests per page")
    parser.add_argument("--floor-sample", type=int, default=1000,
                        help="articles timed by the floor (spread over the corpus)")
    parser.add_argument("--pg-sizes", default="",
                        help="run PostgreSQL only at these sizes (default: every size)")
    parser.add_argument("--nice", type=int, default=0,
                        help="scheduling priority of the measured processes (negative: root)")
    parser.add_argument("--profile", action="store_true",
                        help="also write cProfile files of the SQLite loads to bench/out/prof-N/")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    PRIORITY["nice"] = args.nice
    sizes = parse_sizes(args.sizes) or ([300] if args.quick else [1000, 10000])
    OUT.mkdir(exist_ok=True)
    results_file = args.results
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    if args.report_only:
        return write_report(results, args.report)
    earlier = results.get("machine", {})
    results["machine"] = machine()
    if "postgresql" in earlier:  # a run of another size, with PostgreSQL, measured it
        results["machine"]["postgresql"] = earlier["postgresql"]
    results["quick"] = args.quick
    results["command"] = " ".join(["python bench/run.py", *sys.argv[1:]])
    results.setdefault("sizes", {})

    pg_server, pg_url = None, os.environ.get("DATABASE_URL", "")
    stack = None
    if "pg" not in skip and not pg_url.startswith("postgres"):
        import pg
        if pg.available():
            import contextlib
            stack = contextlib.ExitStack()
            pg_server = stack.enter_context(pg.throwaway_server())
            results["machine"]["postgresql"] = pg_server.version()
            log(f"throwaway PostgreSQL {pg_server.version()} on 127.0.0.1:{pg_server.port}")
        else:
            log("no PostgreSQL binaries: skipping the PostgreSQL figures")
    def save():
        results_file.write_text(json.dumps(results, indent=1, default=str))

    try:
        for n in sizes:
            results["sizes"][str(n)] = {}
            run_size(n, args, skip, pg_server, pg_url, results["sizes"][str(n)], save)
            save()
    finally:
        if stack:
            stack.close()
    write_report(results, args.report)


def write_report(results, target):
    import report
    text = report.render(results)
    (OUT / "report.md").write_text(text)
    if target:
        report.splice(target, text)
        log(f"figures written to {target}")
    sys.stdout.write(text)


CALIBRATE = "import time\nb=time.perf_counter()\ns=0\nfor i in range(5_000_000): s+=i\nprint('{}')"


def contention():
    """Wall ÷ CPU time of a fixed CPU-bound loop: 1.0 on an idle machine, 3 when
    other work leaves this process a third of a core."""
    step = run_child([PYTHON, "-c", CALIBRATE], json_result=False)
    return round(step["process_wall_s"] / max(step["cpu_s"], 1e-3), 2)


def run_size(n, args, skip, pg_server, pg_url, result, save):
    quick = args.quick
    began = time.perf_counter()
    contention_start = contention()
    corpus, generated_s = ensure_corpus(n)
    result.update({"corpus": corpus_stats(corpus), "generate_s": generated_s,
                   "contention": [contention_start, None]})
    profile_dir = None
    if args.profile:
        profile_dir = OUT / f"prof-{n}"
        profile_dir.mkdir(exist_ok=True)
    log(f"{n} articles: SQLite")
    result["sqlite"] = {}
    sqlite_url = sqlite_suite(n, corpus, result["sqlite"], save, profile_dir,
                              0 if "floor" in skip else (100 if quick else FLOOR_AROUND))
    pg_sizes = parse_sizes(args.pg_sizes) if args.pg_sizes else None
    if ("pg" not in skip and (pg_server or pg_url.startswith("postgres"))
            and (pg_sizes is None or n in pg_sizes)):
        log(f"{n} articles: PostgreSQL")
        result["postgresql"] = {}
        if pg_server:
            url = pg_server.create_database(f"kb_bench_{n}")
            loader_suite(n, corpus, url, lambda: None, result["postgresql"], save)
        else:  # the caller's server: empty its tables instead of creating a database
            env = django_env(pg_url, corpus)
            loader_suite(n, corpus, pg_url,
                         lambda: (loadbench("migrate", env), loadbench("flush", env)),
                         result["postgresql"], save)
    if "floor" not in skip:
        log(f"{n} articles: floor and stages")
        result["floor"] = floor_suite(corpus, 150 if quick else min(n, args.floor_sample))
        save()
    if "mkdocs" not in skip:
        log(f"{n} articles: mkdocs")
        result["mkdocs"] = mkdocs_suite(n, corpus, MKDOCS_FULL_NAV_MAX)
        save()
    if "serve" not in skip:
        log(f"{n} articles: serving")
        result["serve"] = serve_suite(sqlite_url, corpus, 50 if quick else 200,
                                      3 if quick else args.serve_rounds,
                                      min(n, 300 if quick else 2000))
    result["suite_s"] = round(time.perf_counter() - began, 1)
    result["contention"] = [contention_start, contention()]


if __name__ == "__main__":
    main()
