"""Writes of technicians: profile, skills and certifications in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dispatch_platform.common.calendar import CalendarError, business_hours_to_spec, parse_business_hours
from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.sites import geo
from dispatch_platform.tenancy.models import Organization

from .models import Certification, Skill, Technician


def technician_normalise(data: dict[str, Any], current: Technician | None = None) -> dict[str, Any]:
    """Validates the shift and fills the time zone from the home coordinates (the API's rules, also the CSV
    import's). Raises ApplicationError naming the field."""
    data = dict(data)
    if data.get("shift") is not None:
        try:
            data["shift"] = business_hours_to_spec(parse_business_hours(data["shift"]))
        except CalendarError as exc:
            raise ApplicationError("Invalid shift", {exc.field.replace("business_hours", "shift"): [exc.message]})
    if not data.get("timezone") and not (current and current.timezone):
        lat = data.get("home_latitude", current.home_latitude if current else None)
        lon = data.get("home_longitude", current.home_longitude if current else None)
        tz = geo.timezone_for(lat, lon) if lat is not None and lon is not None else None
        if tz is None:
            raise ApplicationError("Time zone needed", {"timezone": ["Give a time zone or home coordinates."]})
        data["timezone"] = tz
    return data


def technician_set_skills_and_certifications(technician: Technician, skills: list[str] | None,
                                   certifications: list[dict] | None) -> None:
    if skills is not None:
        objs = [Skill.objects.get_or_create(organization_id=technician.organization_id, code=code)[0] for code in skills]
        technician.skills.set(objs)
    if certifications is not None:
        technician.certifications.all().delete()
        Certification.objects.bulk_create(
            Certification(technician=technician, code=c["code"], expires_on=c.get("expires_on")) for c in certifications
        )


@transaction.atomic
def technician_create(*, organization: Organization, data: dict[str, Any]) -> Technician:
    data = technician_normalise(data, None)
    skills, certifications = data.pop("skills", None), data.pop("certifications", None)
    technician = Technician(organization=organization, **data)
    technician.full_clean()
    technician.save()
    technician_set_skills_and_certifications(technician, skills, certifications)
    return technician


@transaction.atomic
def technician_update(*, organization: Organization, technician: Technician, data: dict[str, Any]) -> Technician:
    data = technician_normalise(data, technician)
    skills, certifications = data.pop("skills", None), data.pop("certifications", None)
    for field, value in data.items():
        setattr(technician, field, value)
    technician.full_clean()
    technician.save()
    technician_set_skills_and_certifications(technician, skills, certifications)
    return technician
