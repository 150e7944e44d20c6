"""Inline patterns are tried only on text holding their trigger, and nothing changes (issue 8).

``TriggeredInlineProcessor`` skips a pattern whose trigger is not in the text;
every page must render exactly as with Python-Markdown's own inline step.
"""
import pytest
from hypothesis import given, settings, strategies as st
from markdown.treeprocessors import InlineProcessor

from kb.ingest import graph, markdown as kb_markdown
from kb.ingest.frontmatter import Lines
from kb.ingest.records import Record
from kb.ingest.render import Renderer
from tests.corpus import every_page
from tests.test_rendering import resolve
from tests.test_sanitize_tree import MARKDOWN_PIECES


def with_markdowns_own_inline_step(renderer):
    md = renderer.md
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    return renderer


def kept(rendered):
    """Everything a load keeps of a rendered page."""
    return (rendered.html, rendered.toc,
            [(s.anchor, s.heading, s.level, s.text) for s in rendered.sections],
            [(link.target, link.anchor, link.raw, link.source_anchor) for link in rendered.links],
            rendered.word_count, rendered.reading_grade, [str(e) for e in rendered.errors])


@pytest.mark.parametrize("folder", ["content", "generated"])
def test_every_page_renders_as_with_markdowns_own_inline_step(folder, tmp_path, settings):
    found = every_page(folder, tmp_path, settings.BASE_DIR)
    index, _ = graph.build_index(found)
    ours = Renderer(index.resolve, index.suggest, index.glossary)
    markdowns = with_markdowns_own_inline_step(
        Renderer(index.resolve, index.suggest, index.glossary))
    for record in found:
        assert kept(ours.render(record)) == kept(markdowns.render(record)), record.path


# Every trigger, and text that looks like a pattern without its trigger.
EXTRA_PIECES = st.sampled_from([
    "  \n", " \n", "![alt](/x.png)", "![x][r]", "<https://example.org>", "<a@b.org>", "&copy;",
    "&#169;", "&", "**", "__", "``", "\\*", "\\", "[^1]", "| a | b |\n|---|---|", "<!-- c -->",
    "<span>", "@", "^", "!", "~~", "==",
])


@pytest.mark.parametrize("body", [
    "a `code` b", "a \\*b\\* c", "a [^1] b\n\n[^1]: note", "a [[daratumumab]] b", "a [@r1] b",
    "a [x][r] b\n\n[r]: /x", "a [x](/x) b", "a ![x](/x.png) b", "a ![x][r] b\n\n[r]: /x.png",
    "a [r] b\n\n[r]: /x", "a ![r] b\n\n[r]: /x.png", "a <https://example.org> b",
    "a <a@b.org> b", "a  \nb", "a <span>x</span> b", "a &copy; b", "a *x* b", "a _x_ b",
    "a __x__ b",
])
def test_each_pattern_still_matches_at_its_trigger(body):
    ours = Renderer(resolve, lambda name: None)
    markdowns = with_markdowns_own_inline_step(Renderer(resolve, lambda name: None))
    assert kept(ours.render(record_of(body))) == kept(markdowns.render(record_of(body)))


def record_of(body):
    return Record("topics/t.md", "topics", "t", {"title": "T", "references": [{"id": "r1"}]},
                  Lines(1), body, 5, "hash")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKDOWN_PIECES, EXTRA_PIECES), max_size=40).map("".join))
def test_any_markdown_renders_as_with_markdowns_own_inline_step(body):
    ours = Renderer(resolve, lambda name: None)
    markdowns = with_markdowns_own_inline_step(Renderer(resolve, lambda name: None))
    assert kept(ours.render(record_of(body))) == kept(markdowns.render(record_of(body)))


def test_every_inline_pattern_has_a_trigger():
    # A pattern added later (an extension, a new Markdown) is tried on every
    # text, which is correct but slow: list its trigger in INLINE_TRIGGERS.
    md, _ = kb_markdown.make_markdown(resolve)
    inline = md.treeprocessors["inline"]
    assert isinstance(inline, kb_markdown.TriggeredInlineProcessor)
    assert len(inline.finders) == len(md.inlinePatterns) == len(kb_markdown.INLINE_TRIGGERS)
    assert None not in inline.finders


def test_markdown_still_calls_the_loop_by_the_name_it_is_defined_under():
    # Python-Markdown's run() calls its private __handleInline: if a new
    # version renamed it, ours would silently stop being used.
    assert hasattr(InlineProcessor, "_InlineProcessor__handleInline")
    assert hasattr(InlineProcessor, "_InlineProcessor__applyPattern")


def test_text_without_triggers_meets_no_pattern(monkeypatch):
    calls = []
    apply = kb_markdown.TriggeredInlineProcessor._InlineProcessor__applyPattern

    def counted(self, pattern, *args):
        calls.append(pattern)
        return apply(self, pattern, *args)

    monkeypatch.setattr(kb_markdown.TriggeredInlineProcessor,
                        "_InlineProcessor__applyPattern", counted)
    Renderer(resolve, lambda name: None).render(record_of("Plain words, only plain words."))
    assert calls == []
    Renderer(resolve, lambda name: None).render(record_of("Some *stress* here."))
    assert {type(pattern).__name__ for pattern in calls} == {"DelimiterProcessor"}
