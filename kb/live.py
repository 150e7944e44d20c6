"""Live reload in development (issue #9): save a file in content/, see the page.

While ``runserver`` serves (``make run``), a background thread polls the
modification times of content/ about three times a second. When a file
changes it runs the ordinary incremental load (``kb.ingest.loader.load``):
only what changed is rendered again, and a load with an error applies nothing, so the site
keeps serving the last good version. Problems print in the terminal as
``file:line: message`` and are kept here, in memory, for the development
banner on the affected page (``editor_tools`` + templates/includes/live_banner.html).

Polling rather than a file-system notification library: content/ holds a
few hundred small files, a scan takes about a millisecond, and nothing needs
installing. The thread starts from Django's ``autoreload_started`` signal,
which runserver sends only in the child process that serves, so neither
the reloader's parent, tests nor management commands ever start it.
"""
import os
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

POLL_SECONDS = 0.3
SETTLE_SECONDS = 0.1  # editors' "save" may write a file in several steps


def snapshot(content_dir):
    """``{relative path: (mtime_ns, size)}`` of every file below ``content_dir``."""
    found = {}
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")):
                continue  # editor backups and swap files
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue  # removed while we looked
            found[os.path.relpath(path, content_dir)] = (stat.st_mtime_ns, stat.st_size)
    return found


@dataclass
class LiveState:
    """The latest load's problems, for the banner (one process: kept in memory)."""
    errors: list = field(default_factory=list)     # every error of the latest load
    warnings: dict = field(default_factory=dict)   # path -> warnings of the last check of it
    pages: dict = field(default_factory=dict)      # (kind, slug) -> path
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, result):
        """Keep what ``result`` (a LoadResult) says; warnings per checked file."""
        plan = result.plan
        checked = {plan.records[slug].path for slug in plan.changed} if plan else set()
        fresh = {}
        for problem in result.errors:
            if not problem.is_error:
                fresh.setdefault(problem.path, []).append(problem)
        with self.lock:
            self.errors = [p for p in result.errors if p.is_error]
            for path in checked | set(fresh):
                self.warnings.pop(path, None)
            self.warnings.update(fresh)
            if plan:
                self.pages = {(r.kind, r.slug): r.path for r in plan.records.values()}
                paths = set(self.pages.values())
                self.warnings = {p: w for p, w in self.warnings.items() if p in paths}
            self.version += 1

    def for_page(self, kind, slug):
        """Errors and warnings of the file behind the page ``/kind/slug/``."""
        with self.lock:
            path = self.pages.get((kind, slug), f"{kind}/{slug}.md")
            return ([p for p in self.errors if p.path == path] + self.warnings.get(path, [])), path

    def error_files(self):
        with self.lock:
            return sorted({p.path for p in self.errors})


STATE = LiveState()


class ContentWatcher(threading.Thread):
    """Polls ``content_dir`` and loads what changed; ``stop()`` ends it."""

    def __init__(self, content_dir=None, interval=POLL_SECONDS, out=None, state=None):
        super().__init__(name="kb-content-watcher", daemon=True)
        self.content_dir = Path(content_dir or settings.KB_CONTENT_DIR)
        self.interval = interval
        self.out = out or sys.stderr
        self.state = state or STATE
        self.stopping = threading.Event()
        self.reloaded = threading.Event()  # set after every reload (tests wait on it)
        self.last = snapshot(self.content_dir)

    def stop(self):
        self.stopping.set()

    def run(self):
        self.say(f"Watching {self.content_dir} for changes: saved files are loaded at once.")
        self.reload(first=True)
        while not self.stopping.wait(self.interval):
            self.poll()
        connections.close_all()

    def poll(self):
        """Load once if anything changed since the last look; return whether it did."""
        current = snapshot(self.content_dir)
        if current == self.last:
            return False
        while not self.stopping.wait(SETTLE_SECONDS):
            settled = snapshot(self.content_dir)
            if settled == current:
                break
            current = settled
        changed = sorted(path for path in set(current) | set(self.last)
                         if current.get(path) != self.last.get(path))
        self.last = current
        self.reload(changed=changed)
        return True

    def reload(self, changed=(), first=False):
        """Load what changed (at start: what changed since the last load).

        Warnings are those of the loaded files, as in ``load_content``: the
        files an editor is working on. Checking every file at each start
        would cost seconds after every code change; ``check_content`` does it.
        """
        from kb.ingest.loader import load
        from kb.management.commands._output import (count_line, format_problem, grouped,
                                                     shown_folder)

        try:
            result = load(self.content_dir)
        except Exception as exc:  # keep watching: the next save may fix it
            self.say(f"content reload failed: {exc.__class__.__name__}: {exc}")
            self.reloaded.set()
            return None
        finally:
            connections.close_all()  # this thread's connections only
        self.state.record(result)
        for _, problems in grouped(result.errors):
            for problem in problems:
                self.say(format_problem(problem, shown_folder(self.content_dir)))
        if not result.ok:
            self.say(f"content NOT reloaded: {count_line(result.errors)}; "
                     "the site keeps serving the last good version")
        elif first:
            if result.applied:
                self.say(f"content loaded at start: {result.summary()}")
        else:
            names = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
            self.say(f"content reloaded ({names}): {result.summary()}")
        self.reloaded.set()
        return result

    def say(self, line):
        self.out.write(line + "\n")
        self.out.flush()


_watcher = None
_watcher_lock = threading.Lock()


def start_watching(sender=None, **kwargs):
    """``autoreload_started`` receiver: one watcher per serving process."""
    global _watcher
    with _watcher_lock:
        if _watcher is None or not _watcher.is_alive():
            _watcher = ContentWatcher()
            _watcher.start()
    return _watcher


def watching():
    return _watcher is not None and _watcher.is_alive()


def enabled():
    return settings.DEBUG and getattr(settings, "KB_LIVE_RELOAD", True)


# Templates ---------------------------------------------------------------------

@dataclass
class Banner:
    path: str              # the page's file, relative to the content folder
    problems: list         # its errors and warnings
    error_files: list      # other files whose errors stopped the latest load
    folder: str = "content/"  # the content folder as an editor types it

    @property
    def has_errors(self):
        return any(p.is_error for p in self.problems) or bool(self.error_files)


@dataclass
class EditSource:
    path: str              # as an editor types it: content/therapies/daratumumab.md
    changed: datetime | None
    loaded: datetime


def editor_tools(request):
    """Context processor: the development banner and "Edit source" (DEBUG only).

    ``KB_EDITOR_TOOLS = False`` turns them off while DEBUG is on: the static
    export (kb/export.py) renders pages for the public that way.
    """
    if not tools_on():
        return {}
    match = getattr(request, "resolver_match", None)
    page = ((match.kwargs.get("folder"), match.kwargs.get("slug"))
            if match and match.url_name == "article" else None)
    return {
        "live_banner": SimpleLazyObject(lambda: _banner(page)),
        # Only while a watcher runs here: the page's script then reloads it after a load.
        "live_reload": {"url": reverse("live_version"), "version": STATE.version}
                       if watching() else None,
        "edit_source": SimpleLazyObject(lambda: _edit_source(page)),
    }


def _banner(page):
    problems, path = STATE.for_page(*page) if page else ([], "")
    elsewhere = [p for p in STATE.error_files() if p != path]
    if not problems and not elsewhere:
        return None
    return Banner(path, problems, elsewhere, _shown(Path(settings.KB_CONTENT_DIR)) + "/")


def _edit_source(page):
    from kb.models import Article
    if page is None:
        return None
    row = Article.objects.filter(kind=page[0], slug=page[1]).values_list(
        "source_path", "updated_at").first()
    if row is None:
        return None
    source_path, loaded = row
    file = Path(settings.KB_CONTENT_DIR) / source_path
    try:
        changed = datetime.fromtimestamp(file.stat().st_mtime, tz=dt_timezone.utc)
    except OSError:
        changed = None
    return EditSource(_shown(file), changed, loaded)


def _shown(path):
    """A path as an editor types it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(settings.BASE_DIR).as_posix()
    except ValueError:
        return str(path)


def tools_on():
    return settings.DEBUG and getattr(settings, "KB_EDITOR_TOOLS", True)


def validator_part():
    """Part of a page's ETag and cache key (kb/conditional.py): with the editors'
    tools on, a page also changes when its banner does (no stale 304 or cached copy)."""
    return f"live-{STATE.version}" if tools_on() else ""


def version(request):
    """``/__live__/version``: the page's script reloads the page when this changes."""
    from django.http import Http404, JsonResponse
    if not enabled():
        raise Http404("live reload is for development")
    return JsonResponse({"version": STATE.version, "watching": watching()},
                        headers={"Cache-Control": "no-store"})

