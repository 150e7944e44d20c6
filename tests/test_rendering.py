"""Markdown in, sanitized HTML out (in the manner of Python-Markdown's own tests)."""
from dataclasses import dataclass

import pytest

from kb.ingest.frontmatter import Lines
from kb.ingest.markdown import Target
from kb.ingest.records import Record
from kb.ingest.render import Renderer
from kb.ingest.sanitize import clean

TARGETS = {
    "daratumumab": Target("daratumumab", "therapies", "Daratumumab", "/therapies/daratumumab/"),
    "adcc": Target("adcc", "mechanisms", "ADCC", "/mechanisms/adcc/"),
}
NAMES = {"daratumumab": "daratumumab", "darzalex": "daratumumab", "adcc": "adcc"}


def resolve(name):
    slug = NAMES.get(name.strip().lower().replace(" ", "-"))
    return TARGETS.get(slug)


def render(body, references=()):
    record = Record("topics/t.md", "topics", "t",
                    {"title": "T", "references": [{"id": r} for r in references]},
                    Lines(1), body, 5, "hash")
    return Renderer(resolve, lambda name: None).render(record)


@pytest.mark.parametrize("source, html", [
    ("[[daratumumab]]",
     '<p><a class="kb-link" href="/therapies/daratumumab/">Daratumumab</a></p>'),
    ("[[daratumumab|this drug]]",
     '<p><a class="kb-link" href="/therapies/daratumumab/">this drug</a></p>'),
    ("[[daratumumab#side-effects]]",
     '<p><a class="kb-link" href="/therapies/daratumumab/#side-effects">Daratumumab</a></p>'),
    ("[[daratumumab#side-effects|side effects]]",
     '<p><a class="kb-link" href="/therapies/daratumumab/#side-effects">side effects</a></p>'),
    ("[[Darzalex]]",
     '<p><a class="kb-link" href="/therapies/daratumumab/">Daratumumab</a></p>'),
    ("`[[daratumumab]]`", "<p><code>[[daratumumab]]</code></p>"),
])
def test_cross_links(source, html):
    result = render(source)
    assert result.html == html
    assert result.errors == []


def test_links_record_target_anchor_and_the_section_they_stand_in():
    result = render("Intro [[adcc]].\n\n## Dosing {#dosing}\n\nSee [[daratumumab#side-effects]].")
    assert [(l.target, l.anchor, l.source_anchor) for l in result.links] == [
        ("adcc", "", ""), ("daratumumab", "side-effects", "dosing")]


def test_unknown_link_is_an_error_with_the_line():
    result = render("Line one.\n\nSee [[nothing-here]].")
    assert [str(e) for e in result.errors] == ["topics/t.md:7: unknown link target [[nothing-here]]"]
    assert "<a" not in result.html


def test_every_heading_gets_an_id_and_pinned_ids_win():
    result = render("## Side effects\n\n## How it is given {#route}\n\n### Side effects")
    assert '<h2 id="side-effects">' in result.html
    assert '<h2 id="route">' in result.html
    assert '<h3 id="side-effects_1">' in result.html
    assert [s.anchor for s in result.sections] == ["side-effects", "route", "side-effects_1"]


def test_generated_ids_never_shadow_browser_globals():
    result = render("## Location\n\n## Document")
    assert '<h2 id="location-section">' in result.html
    assert '<h2 id="document-section">' in result.html


def test_sections_hold_heading_and_plain_text():
    result = render("Intro *text*.\n\n## Dosing {#dosing}\n\nGiven **weekly** at first.")
    assert [(s.anchor, s.heading, s.level, s.text) for s in result.sections] == [
        ("", "", 1, "Intro text."), ("dosing", "Dosing", 2, "Given weekly at first.")]


def test_toc_is_nested():
    result = render("## A\n\n### B\n\n## C")
    assert result.toc == [
        {"id": "a", "name": "A", "level": 2, "children": [
            {"id": "b", "name": "B", "level": 3, "children": []}]},
        {"id": "c", "name": "C", "level": 2, "children": []}]


def test_citations_are_numbered_in_reference_order():
    result = render("A [@second] and [@first].", references=["first", "second"])
    assert result.html == ('<p>A<sup class="cite"><a href="#ref-second">[2]</a></sup> and'
                           '<sup class="cite"><a href="#ref-first">[1]</a></sup>.</p>')


def test_tables_footnotes_definition_lists_and_admonitions():
    result = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1]\n\n[^1]: Note.\n\n"
                    "Term\n:   Definition\n\n!!! note\n    Careful.")
    assert "<table>" in result.html and "<td>1</td>" in result.html
    assert 'class="footnote"' in result.html
    assert "<dt>Term</dt>" in result.html
    assert 'class="admonition note"' in result.html


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="vbscript:msgbox(1)">x</a>',
    "<iframe src=https://example.org></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<svg><script>alert(1)</script></svg>',
    '<a href="&#106;avascript:alert(1)">x</a>',
])
def test_dangerous_markup_is_removed(source):
    html = render(source).html.lower()
    for bad in ("<script", "javascript:", "onerror", "<iframe", "vbscript", "data:text",
                "style=", "<svg"):
        assert bad not in html


def test_images_only_from_this_site():
    assert 'src="/static/kb/figure.png"' in render("![Figure](/static/kb/figure.png)").html
    assert "src=" not in render("![Pixel](https://tracker.example/p.gif)").html
    assert "src=" not in render("![Pixel](//tracker.example/p.gif)").html


def test_only_known_classes_survive():
    assert clean('<p class="admonition-title">x</p>') == '<p class="admonition-title">x</p>'
    assert clean('<p class="evil">x</p>') == "<p>x</p>"


def test_raw_html_ids_are_dropped_except_on_headings():
    assert clean('<p id="location">x</p>') == "<p>x</p>"


def test_level_one_headings_are_refused():
    result = render("Intro\n\n# Big heading")
    assert [str(e) for e in result.errors] == [
        "topics/t.md:7: use '##' for sections: the page title is its only level-1 heading"]


# Glossary terms in context ------------------------------------------------------

from kb.ingest.markdown import GlossaryEntry  # noqa: E402

GLOSSARY = [
    GlossaryEntry("progression-free-survival", "/glossary/progression-free-survival/",
                  "How long people live without the disease getting worse.",
                  ["Progression-free survival", "PFS"]),
    GlossaryEntry("overall-survival", "/glossary/overall-survival/",
                  "How long people live.", ["OS"]),
]


def render_with_glossary(body, slug="t"):
    record = Record(f"topics/{slug}.md", "topics", slug, {"title": "T"}, Lines(1), body, 5, "h")
    return Renderer(resolve, lambda name: None, GLOSSARY).render(record)


def test_first_use_of_a_glossary_term_links_to_its_entry_with_the_definition():
    html = render_with_glossary("The PFS was longer. PFS again.").html
    assert html == (
        '<p>The <span class="glossary"><a aria-describedby="gl-progression-free-survival-1" '
        'class="glossary-term" href="/glossary/progression-free-survival/">PFS</a>'
        '<span class="glossary-def" id="gl-progression-free-survival-1" role="tooltip">'
        'How long people live without the disease getting worse.</span></span>'
        ' was longer. PFS again.</p>')


def test_glossary_terms_are_not_linked_in_headings_links_or_code():
    html = render_with_glossary("## PFS\n\n`PFS` and [[daratumumab|PFS]]").html
    assert "glossary" not in html


def test_abbreviations_match_only_in_capitals_and_phrases_ignore_case():
    html = render_with_glossary("Tell us if os or progression-free survival matter; OS too.").html
    assert html.count('class="glossary-term"') == 2
    assert ">progression-free survival</a>" in html and ">OS</a>" in html


def test_a_glossary_entry_does_not_link_to_itself():
    html = render_with_glossary("PFS is a measure.", slug="progression-free-survival").html
    assert "glossary-term" not in html


def test_definitions_stay_out_of_section_text():
    result = render_with_glossary("The PFS was longer.")
    assert result.sections[0].text == "The PFS was longer."


def test_link_text_may_wrap_onto_the_next_line():
    result = render("See [[daratumumab|this\nmedicine]] here.")
    assert result.html == ('<p>See <a class="kb-link" href="/therapies/daratumumab/">this medicine'
                           '</a> here.</p>')


def test_citation_numbers_hug_the_claim():
    result = render("Risk fell by 44% [@a].", references=["a"])
    assert result.html == '<p>Risk fell by 44%<sup class="cite"><a href="#ref-a">[1]</a></sup>.</p>'


def test_a_term_already_linked_by_the_editor_is_not_linked_again_by_the_glossary():
    GLOSSARY.append(GlossaryEntry("daratumumab", "/therapies/daratumumab/", "A drug.",
                                  ["daratumumab"]))
    try:
        html = render_with_glossary("[[daratumumab]] and daratumumab.").html
    finally:
        GLOSSARY.pop()
    assert "glossary-term" not in html


def test_a_heading_named_main_does_not_clash_with_the_page_landmark():
    assert '<h2 id="main-section">' in render("## Main").html


def test_several_terms_in_one_paragraph_are_each_linked_in_place():
    html = render_with_glossary("Both *PFS* and OS, then **more** text about OS and PFS.").html
    assert html == (
        '<p>Both <em><span class="glossary"><a aria-describedby="gl-progression-free-survival-1" '
        'class="glossary-term" href="/glossary/progression-free-survival/">PFS</a>'
        '<span class="glossary-def" id="gl-progression-free-survival-1" role="tooltip">'
        'How long people live without the disease getting worse.</span></span></em> and '
        '<span class="glossary"><a aria-describedby="gl-overall-survival-2" class="glossary-term" '
        'href="/glossary/overall-survival/">OS</a><span class="glossary-def" '
        'id="gl-overall-survival-2" role="tooltip">How long people live.</span></span>, then '
        '<strong>more</strong> text about OS and PFS.</p>')


def test_attribute_lists_with_bare_words_or_capitals_render_as_from_the_string():
    # attr_list turns "{#limits Term ts}" into attributes without a value, and
    # keeps capitals in names: the sanitizer reads those from the HTML string.
    for source in ("## Limits {#limits Term ts}\n\nText.\n", "Text.\n{: ID=x Title=y }\n"):
        rendered = render(source)
        reparsed = Renderer(resolve, lambda name: None, reparse=True).render(
            Record("topics/t.md", "topics", "t", {"title": "T", "references": []}, Lines(1),
                   source, 5, "hash"))
        assert rendered.html == reparsed.html and not rendered.errors
    assert render("## Limits {#limits Term ts}\n").html.startswith('<h2 id="limits">Limits')


def test_escaped_characters_are_themselves_in_section_text():
    section = render("## A \\*starred\\* heading\n\n2\\*3 is \\[six\\].\n").sections[-1]
    assert (section.heading, section.text) == ("A *starred* heading", "2*3 is [six].")


def test_a_citation_number_is_not_read_as_a_markdown_reference():
    # "[1]" in a citation's text is not looked up among the page's "[1]: url" definitions.
    html = render("A claim[@a].\n\n[1]: https://example.org/\n", references=["a"]).html
    assert '<a href="#ref-a">[1]</a>' in html and "example.org" not in html
