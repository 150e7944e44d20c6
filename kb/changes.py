"""/changes/: what the last loads created, updated, re-reviewed and removed (issue #9).

Each applied load leaves one ``ContentLoad`` row with its changes
(``[{action, kind, slug, title}]``, written by ``loader.Plan.changes``), so the
page is two queries: the loads, and which of the named pages still exist
(a page removed since is listed without a link).
"""
from django.shortcuts import render

from kb import kinds
from kb.models import Article, ContentLoad

LOADS = 20
ACTIONS = (("created", "New"), ("updated", "Updated"), ("re-reviewed", "Re-reviewed"),
           ("removed", "Removed"))


def recent_changes(request):
    loads = [load for load in ContentLoad.objects.all()[:LOADS * 3] if load.changes][:LOADS]
    named = {change["slug"] for load in loads for change in load.changes}
    live = {(kind, slug): Article(kind=kind, slug=slug).get_absolute_url()
            for kind, slug in Article.objects.filter(slug__in=named).values_list("kind", "slug")}
    return render(request, "kb/changes.html", {
        "loads": [{"finished_at": load.finished_at, "groups": _groups(load.changes, live)}
                  for load in loads],
    })


def _groups(changes, live):
    groups = []
    for action, label in ACTIONS:
        items = sorted(({"title": c["title"], "url": live.get((c["kind"], c["slug"]))
                                                  if action != "removed" else None,
                         "kind": kinds.BY_FOLDER[c["kind"]].singular if c["kind"] in kinds.BY_FOLDER
                         else c["kind"]}
                        for c in changes if c["action"] == action), key=lambda i: i["title"])
        if items:
            groups.append({"action": action, "label": label, "items": items})
    return groups
