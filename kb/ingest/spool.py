"""Keep rendered HTML and section text on disk until the load writes them (issue 8).

A 10,000-page load renders ~250 MB of HTML and section text before it may
write anything: every error must be known before the first write, so a
failed load leaves the site as it was. Held in memory, that text doubled the
loader's peak (941 MB). The loader puts each page's text here as it comes
back from rendering and keeps only what the checks need (anchors, links,
faces); ``sync.apply`` takes the text back a chunk of pages at a time.
"""
import pickle
import tempfile


class Spool:
    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="kb-load-")
        self.where = {}

    def put(self, slug, rendered):
        """Move ``rendered.html``, ``toc`` and its sections' text here (they become None)."""
        data = pickle.dumps((rendered.html, rendered.toc, [s.text for s in rendered.sections]),
                            protocol=pickle.HIGHEST_PROTOCOL)
        self.file.seek(0, 2)
        self.where[slug] = (self.file.tell(), len(data))
        self.file.write(data)
        rendered.html = rendered.toc = None
        for section in rendered.sections:
            section.text = None

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
