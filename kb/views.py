"""Views stay short: fetch, 404 or redirect, render (STYLE.md example 3)."""
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

from kb import kinds, relations
from kb.models import Alias, Article, Therapy, Trial


def home(request):
    counts = {kind.folder: 0 for kind in kinds.KINDS}
    for row in Article.objects.values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return render(request, "kb/home.html", {
        "sections": [(kind, counts[kind.folder]) for kind in kinds.KINDS],
        "cd38": Article.objects.for_listing().filter(slug="cd38").first(),
    })


def kind_index(request, folder):
    kind = kinds.BY_FOLDER.get(folder)
    if kind is None:
        raise Http404("No such section")
    articles = Article.objects.of_kind(folder).for_listing().order_by("title")
    groups = _group(folder, articles)
    return render(request, "kb/kind_index.html", {"kind": kind, "groups": groups,
                                                  "count": len(articles)})


def _group(folder, articles):
    """Index pages useful on their own: group by a field that matters for the kind."""
    if folder == "therapies":
        rows = Therapy.objects.select_related("therapy_class").only(
            "slug", "title", "summary", "kind", "status", "therapy_class__title",
            "therapy_class__slug", "therapy_class__kind")
        return _bucket(rows, lambda t: t.therapy_class.title)
    if folder == "trials":
        rows = Trial.objects.only("slug", "title", "summary", "kind", "setting", "phase")
        return _bucket(rows, lambda t: t.get_setting_display())
    if folder == "glossary":
        return _bucket(articles, lambda a: a.title[:1].upper())
    return [("", list(articles))]


def _bucket(rows, key):
    groups = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return sorted(groups.items())


# The reverse one-to-one from Article to each kind's child row.
CHILD = {"biomarkers": "biomarker", "mechanisms": "mechanism", "therapy-classes": "therapyclass",
         "therapies": "therapy", "combinations": "combination", "trials": "trial",
         "topics": "topic", "glossary": "glossaryterm"}


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
    return render(request, "kb/article.html", {
        "article": obj,
        "kind": kinds.get(obj.kind),
        "panels": relations.panels(obj),
        "approvals": relations.approvals(obj),
        "backlinks": relations.backlinks(obj),
        "references": list(obj.references.all()),
    })
