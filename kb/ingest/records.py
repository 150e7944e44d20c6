"""Pass 1: read one content file into a plain record (or errors).

Nothing here looks at other files or at the database, so it can run in any
order, in parallel, and be tested with strings.
"""
import hashlib
import os
import pickle
from pathlib import Path

from kb import kinds
from kb.ingest import frontmatter, schema
from kb.ingest.errors import ContentError
from kb.ingest.slugs import is_slug

# Bump when rendering changes, so every page is rendered again on the next load.
RENDER_VERSION = "3"


# Front matter parts only the page itself uses (rendering, writing, its own
# warnings), and the largest: a record keeps them pickled (``Record.compact``).
PACKED_KEYS = ("references", "outcomes")


class Record:
    """One content file, read and checked (pass 1).

    A load holds one per file until it is written: 10,000 at once (issue 8).
    ``compact()`` keeps the bulky parts that other pages never look at (see
    ``PACKED_KEYS``) and the front matter line numbers as pickled bytes;
    ``fields`` and ``line_of`` unpack them on each use.
    """
    __slots__ = ("path", "kind", "slug", "_fields", "_packed", "lines", "body", "body_line",
                 "content_hash", "broken")

    def __init__(self, path, kind, slug, fields, lines, body, body_line, content_hash,
                 broken=False, packed=None):
        self.path = path              # relative to the content folder, e.g. "therapies/x.md"
        self.kind = kind
        self.slug = slug
        self._fields = fields         # converted front matter (schema.validate)
        self._packed = packed         # pickled PACKED_KEYS part of it, once compacted
        self.lines = lines            # frontmatter.Lines
        self.body = body
        self.body_line = body_line
        self.content_hash = content_hash
        # The front matter could not be read: the record only holds the name, so
        # other files' links to it resolve instead of cascading into more errors.
        self.broken = broken

    @property
    def fields(self):
        """The whole converted front matter.

        For a compacted record this is a new dict on each use: change only
        ``head`` (what the checks across files rewrite lives there).
        """
        if self._packed is None:
            return self._fields
        return {**self._fields, **pickle.loads(self._packed)}

    @fields.setter
    def fields(self, value):
        self._fields, self._packed = value, None

    def replace_head(self, head):
        """Put back ``head`` (the front matter without ``PACKED_KEYS``), e.g. as written."""
        self._fields = head

    @property
    def head(self):
        """The front matter without ``PACKED_KEYS``: what other pages and the checks use."""
        return self._fields

    @property
    def packed(self):
        """The pickled ``PACKED_KEYS`` part of the front matter (None: all in ``head``)."""
        return self._packed

    @property
    def title(self):
        return self._fields.get("title", self.slug)

    @property
    def summary(self):
        return self._fields.get("summary", "")

    def line_of(self, *path):
        return self.lines.at(*path)

    def compact(self):
        """Keep ``PACKED_KEYS`` and the line numbers pickled (issue 8: memory)."""
        if self._packed is None and any(key in self._fields for key in PACKED_KEYS):
            packed = {key: self._fields.pop(key) for key in PACKED_KEYS if key in self._fields}
            self._packed = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
        if not isinstance(self.lines, frontmatter.PackedLines):
            self.lines = frontmatter.PackedLines(
                pickle.dumps(self.lines.tree, protocol=pickle.HIGHEST_PROTOCOL))
        return self

    def __eq__(self, other):
        if not isinstance(other, Record):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _COMPARED)

    __hash__ = None

    def __repr__(self):
        return f"Record({self.path!r}, {self.kind!r}, {self.slug!r}, broken={self.broken})"


_COMPARED = ("path", "kind", "slug", "fields", "lines", "body", "body_line", "content_hash",
             "broken")


def discover(content_dir):
    """Every candidate file below ``content_dir``, as (relative path, absolute path string).

    In path order. Hidden files and folders (editor swap files, .git) are
    left out, and symbolic links to folders are listed, not followed
    (``read`` refuses them). One ``scandir`` per folder: a reload lists
    10,000 files before it knows which changed (issue 8).
    """
    found = []
    # A list of folders still to list, not a recursive inner function: that
    # one refers to itself, so it and ``found`` (20,000 tuples at 10,000
    # files) were left for the garbage collector, which the loader pauses
    # while it reads (loader.py).
    folders = [(Path(content_dir), ())]
    while folders:
        folder, parts = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, (*parts, entry.name)))
                else:
                    found.append(((*parts, entry.name), entry.path))
    found.sort()
    # The absolute path as a string: a Path per file costs 50 ms at 10,000,
    # and a reload opens only the edited ones (``read`` takes either).
    return [("/".join(parts), path) for parts, path in found if parts != ("README.md",)]


def content_hash(raw):
    """A file's bytes, and the rendering code's version: a change of either renders it again."""
    return hashlib.sha256(RENDER_VERSION.encode() + b"\0" + raw).hexdigest()


def text_of(raw):
    """A file's text as ``read`` sees it (UTF-8 without BOM, ``\\n`` line ends); may raise."""
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def body_if_unchanged(record, path):
    """The body of ``record``'s file if its bytes still hash to ``record.content_hash``, or None.

    For a record from the load cache, which keeps no body: the body alone is
    cut from the file at ``body_line``, without reading the front matter
    again (~1 ms a file of YAML and schema checks; issue 8).
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    if content_hash(raw) != record.content_hash:
        return None
    return "\n".join(text_of(raw).split("\n")[record.body_line - 1:])


def read(relative, path, content_dir, max_bytes):
    """Read and check one file. Returns ``(record or None, errors)``."""
    errors = []
    path = Path(path)

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
        text = text_of(raw)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return error(line, "file is not UTF-8 text: save it with UTF-8 encoding")
    if "\x00" in text:
        return error(text[:text.index("\x00")].count("\n") + 1, "file contains a NUL character")

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
    digest = content_hash(raw)
    return (Record(relative, kind, slug, fields, lines, body, body_line, digest).compact(),
            errors)
