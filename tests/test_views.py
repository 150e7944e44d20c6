"""Pages: status codes, relations both ways, backlinks, redirects, query counts."""
import pytest

from kb.ingest.loader import load
from tests.corpus import write

pytestmark = pytest.mark.django_db


def test_home_lists_every_kind(loaded, client):
    response = client.get("/")
    assert response.status_code == 200
    for folder in ("biomarkers", "mechanisms", "therapy-classes", "therapies", "combinations",
                   "trials", "topics", "glossary"):
        assert f'href="/{folder}/"' in response.content.decode()


def test_kind_index_lists_its_articles(loaded, client):
    response = client.get("/mechanisms/")
    assert response.status_code == 200
    assert response.context["count"] == 2
    assert '<a href="/mechanisms/adcc/">Antibody-dependent cellular cytotoxicity (ADCC)</a>' \
        in response.content.decode()


def test_article_page_shows_title_summary_body_references_and_review_date(loaded, client):
    response = client.get("/therapies/daratumumab/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Daratumumab</h1>" in page
    assert "A medicine that marks myeloma cells for the immune system." in page
    assert '<a class="kb-link" href="/mechanisms/adcc/">' in page
    assert 'id="ref-lonial-2016"' in page
    assert 'href="https://doi.org/10.1016/S0140-6736(15)01120-4"' in page
    assert '<time datetime="2026-11-01">' in page


def test_typed_relations_are_shown_in_both_directions(loaded, client):
    therapy = client.get("/therapies/daratumumab/").content.decode()
    assert "Works through" in therapy and 'href="/mechanisms/cdc/"' in therapy
    assert "Used in combinations" in therapy and 'href="/combinations/d-rd/"' in therapy
    assert "Studied in trials" in therapy and 'href="/trials/sirius/"' in therapy
    mechanism = client.get("/mechanisms/cdc/")
    assert [p.title for p in mechanism.context["panels"]] == ["Therapies that work through it"]
    assert [a.slug for a in mechanism.context["panels"][0].articles] == ["daratumumab"]
    biomarker = client.get("/biomarkers/cd38/")
    assert [a.slug for a in biomarker.context["panels"][0].articles] == ["daratumumab"]


def test_backlinks_name_the_linking_section(loaded, client):
    response = client.get("/biomarkers/cd38/")
    backlinks = {b.source.slug: b.sections for b in response.context["backlinks"]}
    assert backlinks == {"adcc": [("how-it-works", "How it works")], "natural-killer-cell": []}
    assert '<a href="/mechanisms/adcc/#how-it-works">How it works</a>' in response.content.decode()


def test_alias_redirects_permanently_to_the_canonical_url(loaded, client):
    response = client.get("/therapies/darzalex/")
    assert response.status_code == 301
    assert response["Location"] == "/therapies/daratumumab/"


def test_wrong_folder_redirects_to_the_right_one(loaded, client):
    response = client.get("/topics/daratumumab/")
    assert response.status_code == 301
    assert response["Location"] == "/therapies/daratumumab/"


def test_unknown_slug_is_a_404_in_the_site_layout(loaded, client):
    response = client.get("/therapies/daratumab/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "Medical disclaimer" in page


def test_unknown_folder_is_a_404(loaded, client):
    assert client.get("/drugs/daratumumab/").status_code == 404


def test_every_page_carries_the_medical_disclaimer(loaded, client):
    for url in ("/", "/therapies/", "/therapies/daratumumab/", "/glossary/"):
        assert "not medical advice" in client.get(url).content.decode()


def test_trial_page_shows_the_approvals_it_supported(loaded, client):
    response = client.get("/trials/sirius/")
    assert [a.article.slug for a in response.context["approvals"]] == ["daratumumab"]


@pytest.mark.parametrize("url", ["/therapies/daratumumab/", "/biomarkers/cd38/",
                                 "/trials/sirius/", "/combinations/d-rd/"])
def test_article_query_count_does_not_grow_with_links(loaded, client, url,
                                                      django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as baseline:
        client.get(url)
    count = len(baseline.captured_queries)
    # Twenty more pages that link to every article, and relate to it.
    for n in range(20):
        write(loaded, f"topics/extra-{n}.md",
              f"---\ntitle: Extra {n}\nsummary: s\nlast_reviewed: 2026-11-01\n"
              "see_also: [daratumumab, cd38, sirius, d-rd]\n---\n"
              "[[daratumumab]] [[cd38]] [[sirius]] [[d-rd]]\n\n## Part {#part}\n[[adcc]]\n")
    assert load(loaded).ok
    with django_assert_max_num_queries(count):
        response = client.get(url)
    assert len(response.context["backlinks"]) >= 20


def test_no_request_parses_markdown(loaded, client, monkeypatch):
    import markdown

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown parsed during a request")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)
    for url in ("/", "/therapies/", "/therapies/daratumumab/", "/trials/sirius/"):
        assert client.get(url).status_code == 200


# --- Reader experience (issue #4): what the browser tests need not repeat -----------

def _change(slug, **fields):
    """Change an article as a load would: its updated_at moves, so cached pages are redrawn."""
    from django.utils import timezone

    from kb.models import Article

    Article.objects.filter(slug=slug).update(updated_at=timezone.now(), **fields)


PAGE_TYPES = ["/", "/therapies/", "/trials/", "/glossary/", "/therapies/daratumumab/",
              "/trials/sirius/", "/mechanisms/adcc/", "/glossary/natural-killer-cell/"]


@pytest.mark.parametrize("url", PAGE_TYPES + ["/therapies/no-such-page/"])
def test_pages_have_landmarks_one_h1_and_no_inline_script(loaded, client, url):
    import re

    page = client.get(url).content.decode()
    assert page.count("<h1") == 1
    for landmark in ('<header class="site-header">', '<main id="main"', '<footer class="site-footer">',
                     'aria-label="Sections"', 'class="skip-link" href="#main"'):
        assert landmark in page, landmark
    # CSP-friendly: scripts only from files, JSON data blocks, no inline handlers or styles.
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page)
    assert not re.search(r"<[^>]+\sstyle\s*=", page)
    assert "javascript:" not in page


def test_header_search_is_a_plain_get_form_to_the_search_page(loaded, client):
    page = client.get("/").content.decode()
    assert 'action="/search/" method="get"' in page
    assert '<label class="visually-hidden" for="site-search-q">Search the guide</label>' in page
    assert 'id="site-search-q" name="q"' in page


def test_article_page_has_reading_time_level_toc_and_cite_box(loaded, client):
    _change("daratumumab", reading_grade=9.4, word_count=1000)
    response = client.get("/therapies/daratumumab/")
    page = response.content.decode()
    assert "5 min read" in page
    assert "Reading level: moderate (school grade 9)" in page
    assert '<a href="#side-effects">Side effects</a>' in page          # table of contents
    assert '<details class="toc" open>' in page
    assert 'id="kb-cite-text"' in page
    assert "CD38 Myeloma Guide. “Daratumumab.” Last reviewed 1 November 2026. " \
           "http://testserver/therapies/daratumumab/ (retrieved" in page
    assert '<span class="badge badge-approved">Approved</span>' in page   # key facts
    assert "Source file for editors: <code>content/therapies/daratumumab.md</code>" in page


def test_anchor_moves_reach_the_page_as_json_data(loaded, client):
    _change("daratumumab", anchor_moves={"old-id": "side-effects"})
    page = client.get("/therapies/daratumumab/").content.decode()
    assert '<script id="anchor-moves" type="application/json">{"old-id": "side-effects"}</script>' in page


def test_a_page_unreviewed_for_a_year_says_so(loaded, client):
    import datetime

    assert "last checked more than a year ago" not in client.get("/trials/sirius/").content.decode()
    _change("sirius", last_reviewed=datetime.date(2020, 1, 1))
    assert "last checked more than a year ago" in client.get("/trials/sirius/").content.decode()


def test_trial_page_shows_its_key_facts(loaded, client):
    page = client.get("/trials/sirius/").content.decode()
    assert "<dt>Phase</dt><dd>Phase 2</dd>" in page
    assert "<dt>People</dt><dd>106</dd>" in page
    assert '<a href="https://clinicaltrials.gov/study/NCT01985126">NCT01985126</a>' in page


def test_therapies_index_groups_by_class_then_approval_status(loaded, client):
    groups = client.get("/therapies/").context["groups"]
    assert [g.title for g in groups] == ["Anti-CD38 antibodies", "Immunomodulatory drugs"]
    assert [(s.title, [t.slug for t in s.items]) for s in groups[0].subgroups] == [
        ("Approved", ["daratumumab"])]


def test_trials_index_groups_by_setting(loaded, client):
    response = client.get("/trials/")
    assert [(g.title, [t.slug for t in g.items]) for g in response.context["groups"]] == [
        ("Relapsed or refractory", ["sirius"])]
    assert "Phase 2 · 106 people · Tested: Daratumumab" in response.content.decode()


def test_glossary_index_has_letters_to_jump_to(loaded, client):
    page = client.get("/glossary/").content.decode()
    assert '<h2 id="group-letter-n">N</h2>' in page


def test_home_has_patient_and_educator_entry_points_and_the_map(loaded, client):
    response = client.get("/")
    page = response.content.decode()
    assert "New to anti-CD38 treatment?" in page and "For educators and clinicians" in page
    assert [a.slug for a, _ in response.context["patient_path"]] == [
        "cd38", "daratumumab", "infusion-reactions"]
    assert 'href="/biomarkers/cd38/#where-cd38-is-found"' in page       # a real section link
    stages = response.context["map"]
    assert [s.title for s in stages] == ["Target", "How they work", "Medicines", "Combinations",
                                         "Trials"]
    assert [[n.article.slug for n in s.nodes] for s in stages] == [
        ["cd38"], ["adcc", "cdc"], ["daratumumab"], ["d-rd"], ["sirius"]]
    daratumumab = stages[2].nodes[0]
    assert daratumumab.links == {"map-cd38", "map-adcc", "map-cdc", "map-d-rd", "map-sirius"}
    assert '<a class="map-node" id="map-adcc" href="/mechanisms/adcc/"' in page
    assert 'ADCC<span class="visually-hidden">: Antibody-dependent cellular cytotoxicity (ADCC)</span>' in page


def test_home_query_count_is_fixed(loaded, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        client.get("/")


def test_css_and_js_leave_room_in_the_100_kb_page_budget():
    from django.conf import settings

    static = settings.BASE_DIR / "static" / "kb"
    assert (static / "site.css").stat().st_size + (static / "site.js").stat().st_size < 40 * 1024
