"""Keep rendered HTML and section text on disk until the load writes them (issue 8).

A 10,000-page load renders ~250 MB of HTML and section text before it may
write anything: every error must be known before the first write, so a
failed load leaves the site as it was. Held in memory, that text doubled the
loader's peak (941 MB). The loader puts each page's text here as it comes
back from rendering and keeps only what the checks need (anchors, links,
faces); ``sync.apply`` takes the text back a chunk of pages at a time.
"""
import pickle
import sys
import tempfile


class Spool:
    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="kb-load-")
        self.where = {}

    def put(self, slug, rendered, packed=None):
        """Move ``rendered.html``, ``toc`` and its sections' text here (they become None).

        ``packed``: what ``pack(rendered)`` returned, where the page was
        rendered (parallel.py); otherwise it is packed here.
        """
        data = pack(rendered) if packed is None else packed
        self.file.seek(0, 2)
        self.where[slug] = (self.file.tell(), len(data))
        self.file.write(data)

    def restore(self, slug, rendered):
        """Put the text of ``slug`` back on ``rendered`` (a no-op if it was never moved)."""
        if slug not in self.where or rendered.html is not None:
            return rendered
        offset, size = self.where[slug]
        self.file.seek(offset)
        html, toc, texts = pickle.loads(self.file.read(size))
        rendered.html, rendered.toc = html, toc
        for section, text in zip(rendered.sections, texts):
            section.text = text
        return rendered

    def release(self, slug, rendered):
        """Drop the text of ``slug`` again once it is written."""
        if slug in self.where:
            rendered.html = rendered.toc = None
            for section in rendered.sections:
                section.text = None

    def close(self):
        self.file.close()


def pack(rendered):
    """The bytes a spool keeps of ``rendered``: its HTML, toc and sections' text.

    Those leave ``rendered`` (they become None), and the sections and links
    left on it become ``KeptSection`` and ``KeptLink``: the same fields in
    less memory (issue 8: ~21 of them a page are kept until the write; 3.6 ->
    2.1 KB a page).
    """
    data = pickle.dumps((rendered.html, rendered.toc, [s.text for s in rendered.sections]),
                        protocol=pickle.HIGHEST_PROTOCOL)
    rendered.html = rendered.toc = None
    rendered.sections = [KeptSection(s.anchor, s.heading, s.level) for s in rendered.sections]
    rendered.links = [KeptLink(link.target, link.anchor, link.raw, link.source_anchor)
                      for link in rendered.links]
    return data


_intern = sys.intern  # slugs and heading ids repeat across pages: one copy of each


class KeptSection:
    """A rendered section (markdown.SectionData) while its text waits in the spool."""
    __slots__ = ("anchor", "heading", "level", "text")

    def __init__(self, anchor, heading, level, text=None):
        self.anchor = _intern(anchor) if type(anchor) is str else anchor
        self.heading = heading
        self.level = level
        self.text = text

    def __reduce__(self):
        # Built again on unpickling (from a render worker), so its strings are interned here.
        return KeptSection, (self.anchor, self.heading, self.level, self.text)

    def __repr__(self):
        return f"KeptSection({self.anchor!r}, {self.heading!r}, {self.level!r})"


class KeptLink:
    """A link of a rendered page (markdown.LinkUse) until the write.

    ``raw``, the link as written, is kept only for a link with an #anchor:
    it is only for naming a missing section (graph.check_anchors).
    """
    __slots__ = ("target", "anchor", "raw", "source_anchor")

    def __init__(self, target, anchor, raw, source_anchor=""):
        self.target = _intern(target) if type(target) is str else target
        self.anchor = _intern(anchor) if type(anchor) is str else anchor
        self.raw = raw if anchor else None
        self.source_anchor = (_intern(source_anchor) if type(source_anchor) is str
                              else source_anchor)

    def __reduce__(self):
        return KeptLink, (self.target, self.anchor, self.raw, self.source_anchor)

    def __repr__(self):
        return f"KeptLink({self.target!r}, {self.anchor!r}, {self.raw!r})"
