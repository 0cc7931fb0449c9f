"""Writes of the tenancy app: organizations, memberships, API clients."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from dispatch_platform.common.exceptions import ApplicationError

from .models import ApiClient, Membership, Organization, hash_token

TOKEN_PREFIX_LEN = 12


@transaction.atomic
def organization_create(*, slug: str, name: str, default_timezone: str = "America/New_York") -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise ApplicationError("Organization exists", {"slug": [f"An organization '{slug}' already exists."]})
    org = Organization(slug=slug, name=name, default_timezone=default_timezone)
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def api_client_create(*, organization: Organization, name: str, rate_limit: str = "600/min") -> tuple[ApiClient, str]:
    """Creates a client and returns it with its token; only the token's hash is stored."""
    if ApiClient.objects.filter(organization=organization, name=name).exists():
        raise ApplicationError("API client exists", {"name": [f"An API client '{name}' already exists."]})
    prefix = "dp_" + secrets.token_hex(TOKEN_PREFIX_LEN // 2 - 1)[: TOKEN_PREFIX_LEN - 3]
    token = f"{prefix}.{secrets.token_urlsafe(32)}"
    client = ApiClient(
        organization=organization, name=name, token_prefix=prefix, token_hash=hash_token(token), rate_limit=rate_limit
    )
    client.full_clean()
    client.save()
    return client, token


@transaction.atomic
def membership_grant(*, organization: Organization, username: str, role: str, password: str | None = None,
                     email: str = "", first_name: str = "", last_name: str = "") -> Membership:
    """Creates the user when needed and gives them `role` in the organization."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership
