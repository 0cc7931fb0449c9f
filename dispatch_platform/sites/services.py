"""Writes of customers and sites."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dispatch_platform.common.calendar import (
    BusinessCalendar,
    CalendarError,
    business_hours_to_spec,
    parse_business_hours,
)
from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.models import Organization

from . import geo
from .models import Customer, Site


def site_normalise(data: dict[str, Any], *, current: Site | None = None) -> dict[str, Any]:
    """Fills coordinates from the postal code and the time zone from the coordinates; validates calendars.

    Raises ApplicationError naming the field. Returns the data to save.
    """
    data = dict(data)
    lat = data.get("latitude", current.latitude if current else None)
    lon = data.get("longitude", current.longitude if current else None)
    country = data.get("country", current.country if current else "US") or "US"
    if (lat is None or lon is None) and data.get("postal_code") and country == "US":
        found = geo.coordinates_for_zip(data["postal_code"])
        if found is None:
            raise ApplicationError("Unknown postal code", {"postal_code": [f"Unknown US ZIP code '{data['postal_code']}'."]})
        lat, lon = found
        data["latitude"], data["longitude"] = lat, lon
    if lat is None or lon is None:
        raise ApplicationError(
            "Location needed",
            {"latitude": ["Give latitude and longitude, or a US postal_code."],
             "longitude": ["Give latitude and longitude, or a US postal_code."]},
        )
    tz = data.get("timezone") or (current.timezone if current else None)
    if not tz:
        tz = geo.timezone_for(lat, lon)
        if tz is None:
            raise ApplicationError("Time zone needed", {"timezone": ["No time zone found for these coordinates; give one."]})
        data["timezone"] = tz
    try:
        if "business_hours" in data and data["business_hours"] is not None:
            data["business_hours"] = business_hours_to_spec(parse_business_hours(data["business_hours"]))
        BusinessCalendar.from_spec(
            timezone=tz,
            business_hours=data.get("business_hours"),
            holidays=data.get("holidays", current.holidays if current else None),
            closures=data.get("closures", current.closures if current else ()) or (),
        )
    except CalendarError as exc:
        raise ApplicationError("Invalid calendar", {exc.field: [str(exc.message)]})
    return data


@transaction.atomic
def customer_create(*, organization: Organization, name: str, external_id: str = "") -> Customer:
    customer = Customer(organization=organization, name=name, external_id=external_id)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def site_create(*, organization: Organization, data: dict[str, Any]) -> Site:
    customer = data.get("customer")
    if customer is None or customer.organization_id != organization.pk:
        raise ApplicationError("Unknown customer", {"customer": ["No such customer in this organization."]})
    site = Site(organization=organization, **site_normalise(data))
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_update(*, organization: Organization, site: Site, data: dict[str, Any]) -> Site:
    if "customer" in data and data["customer"].organization_id != organization.pk:
        raise ApplicationError("Unknown customer", {"customer": ["No such customer in this organization."]})
    for field, value in site_normalise(data, current=site).items():
        setattr(site, field, value)
    site.full_clean()
    site.save()
    return site
