from .rls import set_database_tenant
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
        # PostgreSQL row-level security: this request sees its tenant's rows only (API tokens set it
        # once DRF has authenticated them). Always back to system scope afterwards: the connection
        # outlives the request, so it starts every request in system scope (no call needed then).
        if request.organization is not None:
            set_database_tenant(request.organization.pk)
        try:
            return self.get_response(request)
        finally:
            set_database_tenant(None)
