from __future__ import annotations

from django.utils import timezone

from .models import ApiClient, Membership


def api_client_for_token(token: str) -> ApiClient | None:
    """The active client whose token this is, or None. Constant-time hash comparison."""
    prefix = token.split(".", 1)[0]
    client = ApiClient.objects.select_related("organization").filter(token_prefix=prefix, active=True).first()
    if client is None or not client.token_matches(token):
        return None
    api_client_seen(client)
    return client


def api_client_for_public_id(public_id: str) -> ApiClient | None:
    """The client (active or not) a URL names by its public id; the caller authenticates the request."""
    return ApiClient.objects.select_related("organization").filter(public_id=public_id).first()


def api_client_seen(client: ApiClient) -> None:
    # Cheap and racy by design: last_used_at is informational.
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)


def membership_for_user(user, organization_slug: str | None = None) -> Membership | None:
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("organization").filter(user=user).order_by("created_at")
    if organization_slug:
        memberships = memberships.filter(organization__slug=organization_slug)
    return memberships.first()
