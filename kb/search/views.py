from django.shortcuts import render

from kb import kinds
from kb.models import Article
from kb.search import search


def search_page(request):
    """A plain GET form: works without JavaScript, every result page has a URL."""
    raw = request.GET.get("q", "")
    kind = request.GET.get("kind") or None
    if kind not in kinds.BY_FOLDER:
        kind = None
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    results = search(raw, kind=kind, page=page) if raw.strip() else None
    context = {"results": results, "query": results.query if results else "", "kind": kind,
               "kinds": kinds.KINDS}
    if results is None:
        context["entry_points"] = Article.objects.for_listing().filter(
            slug__in=["cd38", "daratumumab", "isatuximab", "multiple-myeloma-basics",
                      "infusion-and-injection-reactions", "reading-trial-results"])
    return render(request, "kb/search.html", context)
