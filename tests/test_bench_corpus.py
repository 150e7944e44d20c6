"""The benchmark corpus (bench/corpus.py, issue 8) is valid, varied and deterministic."""
import pytest

from bench.corpus import Generator, generate
from kb.ingest.loader import load
from kb.models import Article, Link

N = 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench-corpus")
    generate(N, root)
    return root


@pytest.mark.django_db
def test_generated_corpus_loads_without_errors(corpus):
    result = load(corpus)

    assert [str(e) for e in result.errors if e.is_error] == []
    assert result.applied
    assert Article.objects.count() == N
    assert {kind for kind in Article.objects.values_list("kind", flat=True)} == {
        "biomarkers", "mechanisms", "therapy-classes", "therapies", "combinations", "trials",
        "topics", "glossary"}
    # [[links]] and [[links#sections]] between generated pages, and glossary links.
    assert Link.objects.exclude(target_anchor="").exists()
    assert Link.objects.filter(target_anchor="").exists()
    bodies = "".join(Article.objects.values_list("body_html", flat=True))
    for fragment in ('class="glossary-term"', "<table>", 'class="footnote"', "<ul>",
                     'class="admonition note"', 'class="cite"'):
        assert fragment in bodies


def test_articles_have_800_to_1500_words(corpus):
    for path in corpus.rglob("*.md"):
        body = path.read_text(encoding="utf-8")[4:].partition("\n---\n")[2]
        assert 800 <= len(body.split()) <= 1500, path


def test_same_size_gives_the_same_bytes(corpus):
    again = dict(Generator(N).articles())

    assert again == {path.relative_to(corpus).as_posix(): path.read_text(encoding="utf-8")
                     for path in corpus.rglob("*.md")}
