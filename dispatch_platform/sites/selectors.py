"""Reads of customers and sites, scoped to one organization."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from dispatch_platform.common.calendar import BusinessCalendar
from dispatch_platform.tenancy.models import Organization

from .models import Customer, Site


def customer_list(*, organization: Organization) -> QuerySet[Customer]:
    return Customer.objects.for_organization(organization).order_by("name")


def site_list(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.for_organization(organization).select_related("customer").order_by("name")


def site_get(*, organization: Organization, site_id: int) -> Site | None:
    return site_list(organization=organization).filter(pk=site_id).first()


def site_get_by_external_id(*, organization: Organization, external_id: str) -> Site | None:
    return site_list(organization=organization).filter(external_id=external_id).first()


def site_calendar(site: Site, organization: Organization | None = None) -> BusinessCalendar:
    """The site's business calendar: its hours (else the tenant's default), time zone, holidays, closures."""
    organization = organization or site.organization
    hours = site.business_hours if site.business_hours is not None else organization.default_business_hours
    return BusinessCalendar.from_spec(
        timezone=site.timezone,
        business_hours=hours,
        holidays=site.holidays,
        closures=tuple(dt.date.fromisoformat(d) for d in [*(organization.closures or ()), *(site.closures or ())]),
    )
