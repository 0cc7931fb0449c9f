def organization(request):
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "can_dispatch": bool(membership and membership.can_dispatch),
    }
