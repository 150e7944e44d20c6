"""Pass 1: read one content file into a plain record (or errors).

Nothing here looks at other files or at the database, so it can run in any
order, in parallel, and be tested with strings.
"""
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from kb import kinds
from kb.ingest import frontmatter, schema
from kb.ingest.errors import ContentError
from kb.ingest.slugs import is_slug

# Bump when rendering changes, so every page is rendered again on the next load.
RENDER_VERSION = "2"


@dataclass
class Record:
    path: str                 # relative to the content folder, e.g. "therapies/daratumumab.md"
    kind: str
    slug: str
    fields: dict              # converted front matter (schema.validate)
    lines: frontmatter.Lines
    body: str
    body_line: int
    content_hash: str
    # The front matter could not be read: the record only holds the name, so
    # other files' links to it resolve instead of cascading into more errors.
    broken: bool = False

    @property
    def title(self):
        return self.fields.get("title", self.slug)

    @property
    def summary(self):
        return self.fields.get("summary", "")

    def line_of(self, *path):
        return self.lines.at(*path)


def discover(content_dir):
    """Every candidate file below ``content_dir``, as (relative path, absolute path).

    In path order. Hidden files and folders (editor swap files, .git) are
    left out, and symbolic links to folders are listed, not followed
    (``read`` refuses them). One ``scandir`` per folder: a reload lists
    10,000 files before it knows which changed (issue 8).
    """
    content_dir = Path(content_dir)
    found = []

    def walk(folder, parts):
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*parts, entry.name))
                else:
                    found.append(((*parts, entry.name), entry.path))

    walk(content_dir, ())
    found.sort()
    return [("/".join(parts), content_dir.joinpath(*parts)) for parts, _ in found
            if parts != ("README.md",)]


def read(relative, path, content_dir, max_bytes):
    """Read and check one file. Returns ``(record or None, errors)``."""
    errors = []

    def error(line, message):
        errors.append(ContentError(relative, line, message))
        return None, errors

    parts = Path(relative).parts
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(Path(content_dir).resolve()):
            return error(None, "symbolic link points outside content/; copy the file in instead")
        if target.is_dir():
            return error(None, "symbolic links to folders are not followed")
    if len(parts) != 2 or parts[0] not in kinds.BY_FOLDER:
        folders = ", ".join(kinds.BY_FOLDER)
        return error(None, f"unknown kind folder '{parts[0] if len(parts) > 1 else ''}': "
                           f"articles go in one of {folders} (one level deep)")
    if not relative.endswith(".md"):
        return error(None, "only Markdown files ending in .md belong in content/")
    kind = parts[0]
    try:
        size = path.stat().st_size
    except OSError as exc:
        return error(None, f"cannot read file: {exc.strerror}")
    if size > max_bytes:
        return error(None, f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return error(line, "file is not UTF-8 text: save it with UTF-8 encoding")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        return error(text[:text.index("\x00")].count("\n") + 1, "file contains a NUL character")
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    try:
        data, lines, body, body_line = frontmatter.split(text)
    except frontmatter.FrontMatterError as exc:
        errors.append(ContentError(relative, exc.line, str(exc)))
        stub = Record(relative, kind, Path(relative).stem, {}, frontmatter.Lines(1), "", 1, "",
                      broken=True)
        return stub, errors

    fields, problems = schema.validate(kind, data, lines)
    for line, message in problems:
        errors.append(ContentError(relative, line, message))

    slug = fields.get("slug") or Path(relative).stem
    if "slug" not in data and not is_slug(slug):
        errors.append(ContentError(relative, None, f"file name gives the slug {slug!r}, which may "
                                                   "only use a-z, 0-9 and '-': rename the file "
                                                   "or set 'slug:'"))
    # A record with errors is still returned: other files' links to it resolve,
    # so one mistake does not cascade into a page of "unknown link" errors.
    digest = hashlib.sha256(RENDER_VERSION.encode() + b"\0" + raw).hexdigest()
    return Record(relative, kind, slug, fields, lines, body, body_line, digest), errors
