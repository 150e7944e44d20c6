"""Views stay short: fetch, 404 or redirect, render (STYLE.md example 3)."""
from datetime import timedelta

from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from kb import kinds, listings, relations
from kb.conditional import conditional_article, conditional_site_page
from kb.models import Alias, Article


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
def kind_index(request, folder):
    kind = kinds.BY_FOLDER.get(folder)
    if kind is None:
        raise Http404("No such section")
    articles = list(Article.objects.of_kind(folder).for_listing().order_by("title"))
    return render(request, "kb/kind_index.html", {
        "kind": kind, "groups": listings.index_groups(folder, articles), "count": len(articles)})


# The reverse one-to-one from Article to each kind's child row.
CHILD = {"biomarkers": "biomarker", "mechanisms": "mechanism", "therapy-classes": "therapyclass",
         "therapies": "therapy", "combinations": "combination", "trials": "trial",
         "topics": "topic", "glossary": "glossaryterm"}


@conditional_article
def article(request, folder, slug):
    base = (Article.objects.select_related(*CHILD.values(), "therapy__therapy_class")
            .filter(slug=slug).first())
    if base is None:
        alias = Alias.objects.select_related("article").only(
            "article__kind", "article__slug").filter(slug=slug).first()
        if alias is None:
            raise Http404("No such page")
        return redirect(alias.article.get_absolute_url(), permanent=True)
    if base.kind != folder:
        return redirect(base.get_absolute_url(), permanent=True)
    obj = getattr(base, CHILD[base.kind])
    today = timezone.localdate()
    return render(request, "kb/article.html", {
        "article": obj,
        "kind": kinds.get(obj.kind),
        "panels": relations.panels(obj),
        "approvals": relations.approvals(obj),
        "backlinks": relations.backlinks(obj),
        "references": list(obj.references.all()),
        "today": today,
        "page_url": request.build_absolute_uri(obj.get_absolute_url()),
        # The footer's review policy: a page unchecked for a year says so.
        "review_overdue": obj.last_reviewed < today - timedelta(days=365),
    })
