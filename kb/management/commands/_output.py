"""Shared printing for the content commands: one line per problem, grouped by file."""
import json
from collections import Counter
from itertools import groupby
from pathlib import Path

from django.conf import settings

from kb.ingest.errors import ContentError


def shown_folder(content_dir):
    """The content folder as an editor types it, with a slash: ``content/`` when it is
    inside the project (so ``content/therapies/x.md:14`` opens from a terminal)."""
    path = Path(content_dir or settings.KB_CONTENT_DIR).resolve()
    try:
        return path.relative_to(Path(settings.BASE_DIR).resolve()).as_posix() + "/"
    except ValueError:
        return path.as_posix() + "/"


def format_problem(problem, folder=""):
    """``path:line: message`` (``path: message`` for a whole file); warnings say so."""
    path = folder + problem.path
    where = f"{path}:{problem.line}" if problem.line else path
    if problem.is_error:
        return f"{where}: {problem.message}"
    code = f" [{problem.code}]" if problem.code else ""
    return f"{where}: warning: {problem.message}{code}"


def grouped(problems):
    """Problems sorted by file and line, as ``[(path, [problem, ...]), ...]``."""
    ordered = sorted(problems, key=ContentError.sort_key)
    return [(path, list(items)) for path, items in groupby(ordered, key=lambda p: p.path)]


def report(command, problems, content_dir=None):
    """Write problems to stderr, one file after another; return the number of errors."""
    folder = shown_folder(content_dir)
    for position, (path, items) in enumerate(grouped(problems)):
        if position:
            command.stderr.write("")
        for problem in items:
            style = command.style.ERROR if problem.is_error else command.style.WARNING
            command.stderr.write(style(format_problem(problem, folder)))
    return sum(problem.is_error for problem in problems)


def count_line(problems, strict=False):
    """'2 errors and 3 warnings in 4 files (orphan 2, summary-grade 1)'."""
    errors = sum(p.is_error for p in problems)
    warnings = Counter(p.code or "other" for p in problems if not p.is_error)
    files = len({p.path for p in problems})
    parts = [_plural(errors, "error")] if errors else []
    if warnings:
        parts.append(_plural(sum(warnings.values()), "warning"))
    line = f"{' and '.join(parts)} in {_plural(files, 'file')}"
    if warnings:
        line += " (" + ", ".join(f"{code} {n}" for code, n in sorted(warnings.items())) + ")"
    if strict and warnings:
        line += "; --strict: warnings count as errors"
    return line


def as_json(problems, articles, strict=False, content_dir=None):
    """The whole report as one JSON document, for editors' tools and CI annotations.

    Each file's ``path`` is relative to ``content_dir`` (shown as ``content_dir``).
    """
    errors = sum(p.is_error for p in problems)
    warnings = Counter(p.code for p in problems if not p.is_error)
    return json.dumps({
        "ok": not errors and not (strict and warnings),
        "strict": strict,
        "content_dir": shown_folder(content_dir),
        "articles": articles,
        "errors": errors,
        "warnings": sum(warnings.values()),
        "warning_counts": dict(sorted(warnings.items())),
        "files": [{"path": path, "problems": [
            {"line": p.line, "level": p.level, "code": p.code or None, "message": p.message}
            for p in items]} for path, items in grouped(problems)],
    }, indent=2)


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
