from .selectors import membership_for_user

SESSION_KEY = "organization_slug"


class OrganizationMiddleware:
    """Sets request.organization and request.membership from the signed-in user's membership.

    API clients are resolved later, by DRF authentication (tenancy.authentication).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = membership_for_user(request.user, request.session.get(SESSION_KEY))
        request.membership = membership
        request.organization = membership.organization if membership else None
        return self.get_response(request)
