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
