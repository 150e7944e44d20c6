"""Queries compiled once (kb/prepared.py) give what the ORM gives, and the
memoized header and footer (kb/templatetags/fragments.py) follow the page
they are drawn on (issue #8)."""
import re

import pytest
from django.forms.models import model_to_dict
from django.template import Context, Template

from kb import relations, views
from kb.models import MODEL_FOR_KIND, Approval, Article, Reference
from kb.prepared import Prepared, prepared

pytestmark = pytest.mark.django_db


def fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_page_article_of_every_kind_is_the_orm_row(loaded):
    for kind, slug in Article.objects.values_list("kind", "slug"):
        found = views._page_article(kind, slug)
        expected = MODEL_FOR_KIND[kind].objects.get(slug=slug)
        assert type(found) is type(expected) and fields(found) == fields(expected)
    assert views._page_article("therapies", "no-such-page") is None


def test_a_therapy_comes_with_its_class_without_another_query(loaded,
                                                             django_assert_num_queries):
    therapy = views._page_article("therapies", "daratumumab")
    with django_assert_num_queries(0):
        assert therapy.therapy_class.title


def test_references_and_approvals_are_the_orm_rows(loaded, django_assert_num_queries):
    for article in Article.objects.all():
        assert [model_to_dict(r) for r in relations.references(article)] == \
            [model_to_dict(r) for r in Reference.objects.filter(article=article)
             .order_by("position")]
        approvals = relations.approvals(article)
        if article.kind not in ("trials", "therapies", "combinations"):
            assert approvals == []
            continue
        lookup = {"basis": article} if article.kind == "trials" else {"article": article}
        expected = list(Approval.objects.filter(**lookup).order_by("date"))
        assert [a.pk for a in approvals] == [a.pk for a in expected]
        with django_assert_num_queries(0):   # prefetched with the page's queries
            shown = [[t.slug for t in a.basis.all()] for a in approvals]
            references = [a.reference.key for a in approvals]
        assert shown == [[t.slug for t in a.basis.all()] for a in expected]
        assert references == [a.reference.key for a in expected]


def test_a_prepared_query_runs_again_with_another_key(loaded):
    first, second = Article.objects.order_by("id")[:2]

    def build(pk):
        return Article.objects.filter(pk=pk).only("id", "title")

    assert [a.title for a in prepared("test:title", build, first.pk)] == [first.title]
    assert [a.title for a in prepared("test:title", build, second.pk)] == [second.title]


def test_a_constant_equal_to_the_key_is_not_taken_for_it(loaded):
    """A constant that equals the key when the query is prepared stays a constant."""
    first, second = Article.objects.filter(references__isnull=False).distinct()[:2]
    constant = first.pk   # equal to the key the query is prepared with

    def build(pk):
        return Reference.objects.filter(article=pk).exclude(article=constant).order_by("id")

    query = Prepared(build, first.pk)
    assert query(first.pk) == []
    assert [r.id for r in query(second.pk)] == [r.id for r in build(second.pk)] != []


def test_a_query_whose_sql_changes_with_the_key_is_refused(loaded):
    article = Article.objects.first()
    with pytest.raises(ValueError):
        Prepared(lambda pk: Reference.objects.filter(article=pk)[:max(1, pk % 2)]
                 if pk % 2 else Reference.objects.filter(article=pk, position=0), article.pk)


# The memoized header -----------------------------------------------------------

def current(page):
    """The navigation links marked as current: [(text, aria-current)]."""
    nav = page[page.index('<nav class="site-nav"'):page.index("</nav>")]
    return re.findall(r'<a href="[^"]*" aria-current="(\w+)">([^<]*)</a>', nav)


def test_the_header_highlights_the_section_of_each_page_in_any_order(loaded, client):
    expected = {"/trials/": [("page", "Trials")], "/trials/maia/": [("true", "Trials")],
                "/therapies/daratumumab/": [("true", "Therapies")], "/": [],
                "/evidence/": [("page", "Evidence")]}
    for url in [*expected, *reversed(expected), *expected]:
        page = client.get(url).content.decode()
        assert current(page) == expected[url], url
        assert ('class="site-name" href="/" aria-current="page"' in page) == (url == "/")


def test_the_search_box_shows_each_request_s_own_text(loaded, client):
    for text in ["dara", "maia", "dara"]:
        page = client.get(f"/search/?q={text}").content.decode()
        assert f'name="q" value="{text}"' in page


def test_a_memo_block_keeps_a_bounded_number_of_drawings():
    template = Template("{% load fragments %}{% memo n %}<b>{{ n }}</b>{% endmemo %}")
    node = next(n for n in template.nodelist if hasattr(n, "drawn"))
    for n in range(node.LIMIT * 2 + 1):
        assert template.render(Context({"n": n})) == f"<b>{n}</b>"
        assert len(node.drawn) <= node.LIMIT
    assert template.render(Context({"n": [1]})) == "<b>[1]</b>"   # unhashable: drawn each time
