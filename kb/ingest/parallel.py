"""Read and render many files at once, on every core (issue 8).

Rendering (Markdown, then bleach, then the reading grade) is almost all of a
full load's time and is a pure function of a record and the site index
(``render.py``), so it splits cleanly over processes. Everything else in a
load (reading files, the index, the cross-file checks, the one transaction)
stays in the calling process.

The workers are forked: they inherit the site index from the loader instead
of receiving it pickled, get each task's records pickled (~0.02 ms a
record), and send back the ``Rendered`` values, in the order asked for, so a
load's result does not depend on how the work was split. Records are sent,
not inherited, because reading an inherited object writes its reference
count, which copies the memory page it lies on into the worker: at 10,000
pages each worker ended up with ~90 MB of copied records (issue 8: peak
memory of the whole process tree). Small batches (an editor's reload, the
tests) stay in the calling process: a pool costs more to start than a few
pages cost to render, and serial runs are the simplest to debug.
"""
import gc
import multiprocessing
import os
import threading

from kb.ingest import records as records_mod, render
from kb.ingest.render import Renderer

# Below this many records the pool is not worth starting (~100 ms for two
# forked workers, against ~40 ms per page rendered).
MIN_PARALLEL = 50
# Records per task: large enough that pickling and scheduling are noise, small
# enough that the two workers finish together.
CHUNK = 16
READ_CHUNK = 64  # files per reading task (a file reads ~25 times faster than a page renders)

# What a forked worker inherits from the loader (set just before the fork).
_job = None
# Each worker's own Renderer, built once by _start_worker.
_renderer = None


def workers():
    """How many processes to render with: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork():
    """Fork only from a single-threaded process (load_content, check_content).

    Forking a threaded process (the dev server's live reload, a web worker)
    copies locks other threads may hold, which can hang the child.
    """
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def render_many(records, index, slugs, renderer=None, keep=None):
    """Yield ``(slug, Rendered, kept)`` for each of ``slugs``, in that order.

    ``records`` maps slug -> Record; ``index`` is the load's ``SiteIndex``.
    ``renderer`` is used for small batches (one is built when not given).
    ``keep(record, rendered)``, if given, runs where the page was rendered
    (a worker, for a pool) and ``kept`` is what it returns: per-page work
    taken off the loader's single core (issue 8).
    """
    slugs = list(slugs)
    keep = keep or _nothing
    count = workers()
    if len(slugs) <= MIN_PARALLEL or count < 2 or not can_fork():
        renderer = renderer or Renderer(index.resolve, index.suggest, index.glossary)
        for slug in slugs:
            record = records[slug]
            rendered = renderer.render(record)
            yield slug, rendered, keep(record, rendered)
        return
    yield from _render_in_pool(records, index, slugs, count, keep)


def read_many(files, content_dir, max_bytes):
    """Yield ``records.read(relative, path, content_dir, max_bytes)`` for each of ``files``.

    In the order given. Reading (YAML, the schema, line numbers of every key)
    is the first load's one step before rendering that needs no other file:
    ~0.9 ms a file, alone on one core until now (issue 8). Records come back
    pickled (~0.03 ms each).
    """
    files = list(files)
    if len(files) <= MIN_PARALLEL or workers() < 2 or not can_fork():
        for relative, path in files:
            yield records_mod.read(relative, path, content_dir, max_bytes)
        return
    from concurrent.futures import ProcessPoolExecutor

    chunks = [files[start:start + READ_CHUNK] for start in range(0, len(files), READ_CHUNK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers(), len(chunks)), mp_context=context) as pool:
        for results in pool.map(_read_chunk, chunks, [content_dir] * len(chunks),
                                [max_bytes] * len(chunks)):
            yield from results


def _read_chunk(files, content_dir, max_bytes):
    return [records_mod.read(relative, path, content_dir, max_bytes) for relative, path in files]


def _nothing(record, rendered):
    return None


def _render_in_pool(records, index, slugs, count, keep):
    global _job
    # Imported here, not at start-up: an editor's reload renders a page or
    # two in this process (~15 ms of imports saved; issue 8).
    from concurrent.futures import ProcessPoolExecutor

    # Load the hyphenation dictionary (for the reading grade) once here, not once per worker.
    render._hyphenator()

    chunks = [slugs[start:start + CHUNK] for start in range(0, len(slugs), CHUNK)]
    _job = (index, keep)
    # A forked worker shares the loader's memory until either side writes to a
    # page; a garbage collection in the worker would write to every object's
    # header, so the objects that exist now are left out of collections.
    # Objects frozen before (the loader's records, load_content's start-up)
    # are left frozen for whoever froze them.
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(count, len(chunks)), mp_context=context,
                                 initializer=_start_worker) as pool:
            batches = ([records[slug] for slug in chunk] for chunk in chunks)
            for chunk, results in zip(chunks, pool.map(_render_chunk, batches)):
                for slug, (rendered, kept) in zip(chunk, results):
                    yield slug, rendered, kept
    finally:
        if thaw:
            gc.unfreeze()
        _job = None


def _start_worker():
    global _renderer
    index, _ = _job
    _renderer = Renderer(index.resolve, index.suggest, index.glossary)


def _render_chunk(records):
    keep = _job[1]
    results = []
    for record in records:
        rendered = _renderer.render(record)
        results.append((rendered, keep(record, rendered)))
    return results
