"""Views stay short: fetch, 404 or redirect, render (STYLE.md example 3)."""
from datetime import timedelta

from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kb import kinds, listings, relations
from kb.conditional import conditional_article, conditional_site_page
from kb.models import MODEL_FOR_KIND, Alias, Article
from kb.prepared import prepared


@conditional_site_page
def home(request):
    counts = {kind.folder: 0 for kind in kinds.KINDS}
    for row in Article.objects.values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return render(request, "kb/home.html", {
        "sections": [(kind, counts[kind.folder]) for kind in kinds.KINDS],
        "patient_path": listings.patient_path(),
        "example_section": listings.example_section(),
        "recently_reviewed": listings.recently_reviewed(),
        "map": listings.knowledge_map(),
    })


@conditional_site_page
def kind_index(request, folder, page=1):
    kind = kinds.BY_FOLDER.get(folder)
    if kind is None:
        raise Http404("No such section")
    page = int(page)
    if page == 1 and request.resolver_match.url_name != "kind_index":
        return redirect("kind_index", folder, permanent=True)   # /trials/page/1/ is /trials/
    groups = listings.index_groups(folder)
    shown = listings.paginate(groups, page)
    if shown is None:
        raise Http404("No such page")
    listings.fill_page(folder, shown)
    return render(request, "kb/kind_index.html", {
        "kind": kind, "groups": shown.groups, "page": shown,
        "pages": [(n, _index_url(folder, n)) for n in range(1, shown.count + 1)],
        # Every group of the index, and the page its heading is on ("" for this one).
        "jump": [(g, _index_url(folder, shown.starts[g.slug], current=page)) for g in groups],
        "count": Article.objects.of_kind(folder).count()})


def _index_url(folder, number, current=None):
    """Where page ``number`` of an index is; "" for the page being drawn (same-page anchors)."""
    if number == current:
        return ""
    return reverse("kind_index", args=[folder]) if number == 1 else reverse(
        "kind_index_page", args=[folder, number])


# What an article page shows of other rows beside its own (includes/facts.html).
RELATED = {"therapies": ["therapy_class"]}


def _moved(slug, suffix=""):
    """The permanent redirect for an alias or old slug, else 404."""
    alias = Alias.objects.select_related("article").only(
        "article__kind", "article__slug").filter(slug=slug).first()
    if alias is None:
        raise Http404("No such page")
    return redirect(alias.article.get_absolute_url() + suffix, permanent=True)


def _page_article(folder, slug):
    """The article with its kind's fields, or None. The folder names the kind's
    table: one join, not one per kind; compiled once per kind (issue #8)."""
    found = prepared(f"article:{folder}", lambda key: MODEL_FOR_KIND[folder].objects.select_related(
        *RELATED.get(folder, ())).filter(slug=key), slug)
    return found[0] if found else None


@conditional_article
def article(request, folder, slug):
    obj = _page_article(folder, slug)
    if obj is None:
        base = Article.objects.only("kind", "slug").filter(slug=slug).first()
        if base is None:
            return _moved(slug)
        return redirect(base.get_absolute_url(), permanent=True)
    today = timezone.localdate()
    backlinks, backlink_count = relations.backlinks(obj, limit=relations.BACKLINKS_SHOWN)
    more = backlink_count - len(backlinks)
    return render(request, "kb/article.html", {
        "article": obj,
        "kind": kinds.get(obj.kind),
        "panels": relations.panels(obj),
        "approvals": relations.approvals(obj),
        "backlinks": backlinks,
        "backlink_count": f"{backlink_count:,}",
        "backlinks_more": f"{more:,}" if more else "",
        "references": relations.references(obj),
        "today": today,
        "page_url": request.build_absolute_uri(obj.get_absolute_url()),
        # The footer's review policy: a page unchecked for a year says so.
        "review_overdue": obj.last_reviewed < today - timedelta(days=365),
    })


@conditional_article
def article_backlinks(request, folder, slug):
    """Every page that links to an article: what its page shows the first of."""
    obj = Article.objects.for_listing().filter(slug=slug).first()
    if obj is None:
        return _moved(slug, "links/")
    if obj.kind != folder:
        return redirect(obj.get_absolute_url() + "links/", permanent=True)
    backlinks, count = relations.backlinks(obj)
    return render(request, "kb/backlinks.html", {
        "article": obj, "kind": kinds.get(obj.kind), "backlinks": backlinks,
        "count": f"{count:,} page{'' if count == 1 else 's'}"})
