from django.urls import NoReverseMatch, reverse

from kb import kinds

SITE_NAME = "CD38 Myeloma Guide"


def site(request):
    """What every page's header and footer need."""
    match = getattr(request, "resolver_match", None)
    return {
        "nav_kinds": kinds.KINDS,
        "site_name": SITE_NAME,
        "current_folder": match.kwargs.get("folder", "") if match else "",
        "search_url": _search_url(),
    }


def _search_url():
    # The search page is another issue (#5); until its route exists the header
    # box still points at the address it will have.
    try:
        return reverse("search")
    except NoReverseMatch:
        return "/search/"
