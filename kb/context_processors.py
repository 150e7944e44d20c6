from kb import kinds


def site(request):
    """What every page's header and footer need."""
    return {"nav_kinds": kinds.KINDS, "site_name": "CD38 Myeloma Guide"}
