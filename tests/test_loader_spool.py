"""A load that writes keeps rendered text on disk and lets go of bodies (issue 8: memory).

What it writes and what it reports must be exactly what a check that keeps
everything in memory (``check_content``) renders and reports.
"""
import pytest

from bench.corpus import generate
from kb.ingest.loader import load
from kb.ingest.spool import Spool
from kb.ingest.render import Rendered
from kb.ingest.markdown import SectionData
from kb.models import Article, Section

pytestmark = pytest.mark.django_db


def test_a_written_load_stores_what_a_check_renders(tmp_path, pooled):
    generate(40, tmp_path)
    checked = load(tmp_path, full=True)

    applied = load(tmp_path)

    assert applied.applied
    stored = dict(Article.objects.values_list("slug", "body_html"))
    assert stored == {slug: r.html for slug, r in checked.plan.rendered.items()}
    texts = {(a, p): t for a, p, t in Section.objects.values_list("article__slug", "position",
                                                                  "text")}
    assert texts == {(slug, position): s.text for slug, r in checked.plan.rendered.items()
                     for position, s in enumerate(r.sections)}
    assert [str(e) for e in applied.errors] == [str(e) for e in checked.errors]


def test_errors_and_warnings_keep_their_lines_without_bodies(tmp_path, pooled):
    generate(40, tmp_path)
    page = sorted((tmp_path / "topics").glob("*.md"))[0]
    other = sorted((tmp_path / "therapies").glob("*.md"))[0].stem
    page.write_text(page.read_text(encoding="utf-8")
                    + f"\nIn 2019, 45% of people [[{other}#no-such-heading]].\n", encoding="utf-8")
    checked = load(tmp_path, full=True)

    attempted = load(tmp_path)

    assert not attempted.applied
    assert any("no heading with id 'no-such-heading'" in str(e) for e in attempted.errors)
    assert any(e.code == "uncited-figures" and e.path.startswith("topics/")
               for e in attempted.errors)
    assert [str(e) for e in attempted.errors] == [str(e) for e in checked.errors]
    assert Article.objects.count() == 0


def test_the_spool_gives_back_what_it_took(tmp_path):
    rendered = Rendered(html="<p>x</p>", toc=[{"id": "a"}],
                        sections=[SectionData("a", "A", 2, "text a")], links=[], word_count=2)
    spool = Spool()
    spool.put("page", rendered)
    assert (rendered.html, rendered.toc, rendered.sections[0].text) == (None, None, None)

    spool.restore("page", rendered)

    assert (rendered.html, rendered.toc, rendered.sections[0].text) == (
        "<p>x</p>", [{"id": "a"}], "text a")
    spool.close()
