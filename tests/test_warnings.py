"""Warnings (issue #9): each one with a real file, its line, and what does not trigger it.

Review dates are measured from tests/conftest.py's TODAY (2026-11-27).
"""
from textwrap import dedent

import pytest
import textstat

from kb.ingest.loader import load
from tests.corpus import write

pytestmark = pytest.mark.django_db

TOPIC = """\
    ---
    title: Living with treatment
    summary: {summary}
    last_reviewed: {reviewed}
    references:
      - id: facon-2019
        citation: Facon T, et al. N Engl J Med. 2019;380:2104-15.
        doi: 10.1056/NEJMoa1817249
    ---
    Read about [[daratumumab]].

    {paragraph}
    """


def topic(content_dir, summary="Tips for daily life.", reviewed="2026-11-01",
          paragraph="Nothing to count here."):
    """topics/living.md, linked from the corpus's daratumumab page (so not an orphan)."""
    write(content_dir, "topics/living.md", "")
    (content_dir / "topics/living.md").write_text(dedent(TOPIC).format(
        summary=summary, reviewed=reviewed, paragraph=paragraph))
    path = content_dir / "therapies/daratumumab.md"
    path.write_text(path.read_text().replace("Infusion reactions are common",
                                             "Infusion reactions ([[living]]) are common"))


def warnings(result, code=None):
    return [(w.path, w.line, w.code) if code is None else str(w)
            for w in result.errors if not w.is_error and (code is None or w.code == code)]


def full(content_dir):
    return load(content_dir, full=True)


def test_the_corpus_warns_only_about_its_orphan(content_dir):
    result = full(content_dir)
    assert result.ok
    assert warnings(result) == [("topics/infusion-reactions.md", None, "orphan")]


def test_a_plain_file_has_no_warning(content_dir):
    topic(content_dir)
    assert [w for w in warnings(full(content_dir)) if w[0] == "topics/living.md"] == []


# Summary reading grade ----------------------------------------------------------

def test_summary_above_grade_8(content_dir):
    summary = ("Daratumumab is a monoclonal antibody that binds CD38 on malignant plasma cells "
               "and eliminates them through several immune-mediated mechanisms.")
    grade = round(textstat.flesch_kincaid_grade(summary), 1)
    assert grade > 8
    topic(content_dir, summary=summary)
    assert warnings(full(content_dir), "summary-grade") == [
        f"topics/living.md:3: summary reads at school grade {grade:g} (aim for 8 or below): use "
        "shorter sentences and everyday words"]


def test_plain_summary_passes(content_dir):
    topic(content_dir, summary="This medicine helps your body fight the cancer. You get it "
                               "as a drip.")
    assert warnings(full(content_dir), "summary-grade") == []


# Figures without a citation -------------------------------------------------------

@pytest.mark.parametrize("sentence, figure", [
    ("The risk fell by 44% with the new drug.", "'44%'"),
    ("People lived 18.5 months longer.", "'18.5 months'"),
    ("The HR was 0.56 in the trial.", "'HR was 0.56'"),
    ("The hazard ratio of 0.56 favoured it.", "'hazard ratio of 0.56'"),
    ("It was approved in June 2019 in the US.", "'June 2019'"),
    ("The label changed on 2019-06-27.", "'2019-06-27'"),
    ("It was approved in 2015.", "'2015'"),
])
def test_paragraph_with_figures_and_no_citation(content_dir, sentence, figure):
    topic(content_dir, paragraph=f"Some context first.\n{sentence}")
    assert warnings(full(content_dir), "uncited-figures") == [
        f"topics/living.md:13: paragraph gives figures ({figure}) but cites no source: add "
        "[@reference-id] right after the claim"]


@pytest.mark.parametrize("paragraph", [
    "The risk fell by 44% [@facon-2019].",
    "The risk fell by 44%\nand more [@facon-2019].",           # one paragraph over two lines
    "```\nresult = 44%\n```",                                  # code is not a claim
    "## Results after 18 months {#results}",                   # nor is a heading
    "See [the label](https://example.org/2019/label-50%25.pdf).",  # nor a link's address
    "Read [[d-rd]] and `HR 0.5` in code.",
    "<!-- 44% to check later -->",
    "Many people take it for months or years.",                # no figure
])
def test_what_does_not_need_a_citation(content_dir, paragraph):
    topic(content_dir, paragraph=paragraph)
    assert warnings(full(content_dir), "uncited-figures") == []


def test_each_list_item_is_its_own_paragraph(content_dir):
    topic(content_dir, paragraph="- Fewer relapses: 44% [@facon-2019]\n- Longer life: 8 months")
    assert [w.split(": ")[0] for w in warnings(full(content_dir), "uncited-figures")] == [
        "topics/living.md:13"]


# Review date ----------------------------------------------------------------------

def test_last_reviewed_more_than_12_months_ago(content_dir):
    topic(content_dir, reviewed="2025-11-26")
    assert warnings(full(content_dir), "review-overdue") == [
        "topics/living.md:4: last_reviewed 2025-11-26 is more than 12 months ago: check the "
        "page against its sources, then set today's date"]


def test_last_reviewed_within_12_months(content_dir):
    topic(content_dir, reviewed="2025-11-28")
    assert warnings(full(content_dir), "review-overdue") == []


# Orphans ----------------------------------------------------------------------------

def test_orphan_names_the_file_and_how_to_link_it(content_dir):
    assert warnings(full(content_dir), "orphan") == [
        "topics/infusion-reactions.md: no other page links to this one: readers only find it "
        "through search and the index; link it where it helps, e.g. [[infusion-reactions]], or "
        "name it in another page's see_also"]


def test_see_also_and_relations_count_as_links(content_dir):
    path = content_dir / "trials/sirius.md"
    path.write_text(path.read_text().replace("tests: [daratumumab]",
                                             "tests: [daratumumab]\nsee_also: [infusion-reactions]"))
    assert warnings(full(content_dir), "orphan") == []


def test_a_link_to_itself_does_not_count(content_dir):
    path = content_dir / "topics/infusion-reactions.md"
    path.write_text(path.read_text() + "\nBack to [[infusion-reactions|the top]].\n")
    assert len(warnings(full(content_dir), "orphan")) == 1


def test_a_glossary_term_used_in_text_is_linked(content_dir):
    write(content_dir, "glossary/drip.md", """\
        ---
        title: Drip
        summary: Medicine given slowly into a vein.
        last_reviewed: 2026-11-01
        ---
        Also called an infusion.
        """)
    assert any("glossary/drip.md" in w for w in warnings(full(content_dir), "orphan"))
    path = content_dir / "mechanisms/cdc.md"
    path.write_text(path.read_text() + "\nIt starts soon after the drip.\n")
    assert not any("glossary/drip.md" in w for w in warnings(full(content_dir), "orphan"))


def test_a_load_warns_about_a_page_it_left_without_links(loaded):
    # d-rd's only incoming link is in lenalidomide's text; d-rd itself does not change.
    path = loaded / "therapies/lenalidomide.md"
    path.write_text(path.read_text().replace(" in [[d-rd]]", ""))
    result = load(loaded)
    assert "combinations/d-rd.md" in {w.split(":")[0] for w in warnings(result, "orphan")}


# Heading ids ----------------------------------------------------------------------------

def test_heading_id_changed_since_the_last_load(loaded):
    path = loaded / "mechanisms/adcc.md"
    path.write_text(path.read_text().replace("## How it works {#how-it-works}",
                                             "## How the attack works"))
    expected = [
        "mechanisms/adcc.md:10: heading id '#how-it-works' of the last load is gone (the nearest "
        "is now '#how-the-attack-works'): links to /mechanisms/adcc/#how-it-works in handouts "
        "and other sites will move; keep the old id by pinning it on the heading, e.g. "
        "'## How it works {#how-it-works}'"]
    # check_content compares with the last load too, and so does the load itself.
    assert warnings(full(loaded), "heading-id-changed") == expected
    result = load(loaded)
    assert result.applied and warnings(result, "heading-id-changed") == expected
    # Once loaded, the new id is the one to keep: no warning on the next check.
    assert warnings(full(loaded), "heading-id-changed") == []


def test_new_wording_with_the_old_id_pinned_is_fine(loaded):
    path = loaded / "mechanisms/adcc.md"
    path.write_text(path.read_text().replace("## How it works {#how-it-works}",
                                             "## How the attack works {#how-it-works}"))
    assert warnings(load(loaded), "heading-id-changed") == []


@pytest.mark.django_db(False)
def test_a_check_without_a_database_skips_the_heading_comparison(content_dir):
    # CI and the corpus tests check files where no database may be used.
    assert warnings(full(content_dir)) == [("topics/infusion-reactions.md", None, "orphan")]


# References --------------------------------------------------------------------------

def test_reference_without_doi_pmid_or_url(content_dir):
    path = content_dir / "biomarkers/cd38.md"
    path.write_text(path.read_text().replace("    doi: 10.1182/blood-2017-06-740944\n", ""))
    assert warnings(full(content_dir), "reference-no-link") == [
        "biomarkers/cd38.md:8: reference 'van-de-donk-2018' has no doi, pmid or url, so readers "
        "cannot find it: add the one you saw in the source (never guess one)"]


@pytest.mark.parametrize("line, message", [
    ("doi: 10.1182", "biomarkers/cd38.md:10: malformed DOI '10.1182' (expected 10.NNNN/...)"),
    ("doi: https://doi.org/10.1182/blood-2017-06-740944",
     "biomarkers/cd38.md:10: malformed DOI 'https://doi.org/10.1182/blood-2017-06-740944' "
     "(expected 10.NNNN/...)"),
    ("pmid: PMC5763789", "biomarkers/cd38.md:10: malformed PubMed ID 'PMC5763789' (digits only)"),
])
def test_malformed_doi_or_pmid_stays_an_error(content_dir, line, message):
    path = content_dir / "biomarkers/cd38.md"
    path.write_text(path.read_text().replace("doi: 10.1182/blood-2017-06-740944", line))
    result = full(content_dir)
    assert not result.ok
    assert [str(e) for e in result.errors if e.is_error] == [message]


# Which files an incremental load warns about ------------------------------------------

def test_a_load_warns_only_about_the_files_it_changed(loaded):
    path = loaded / "mechanisms/cdc.md"
    path.write_text(path.read_text() + "\nIt works in 40% of cells.\n")
    result = load(loaded)
    assert warnings(result) == [("mechanisms/cdc.md", 9, "uncited-figures")]
