from rest_framework import permissions

from .models import ApiClient, Membership
from .rls import set_database_tenant

WRITE_ROLES = {Membership.Role.ADMIN, Membership.Role.DISPATCHER}
READ_ROLES = WRITE_ROLES | {Membership.Role.VIEWER}


def resolve_request_organization(request) -> None:
    """Puts the tenant on the DRF request: the API client's organization, else the session membership's."""
    if isinstance(request.auth, ApiClient):
        request.organization = request.auth.organization
        request.role = "integration"
        set_database_tenant(request.organization.pk)
    else:
        membership = getattr(request._request, "membership", None)
        request.organization = membership.organization if membership else None
        request.role = membership.role if membership else None


class IsOrganizationMember(permissions.BasePermission):
    """Integrations, admins and dispatchers read and write; viewers read; technicians use their pages."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        resolve_request_organization(request)
        if request.organization is None:
            return False
        if request.role == "integration" or request.role in WRITE_ROLES:
            return True
        return request.role in READ_ROLES and request.method in permissions.SAFE_METHODS
