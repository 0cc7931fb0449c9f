"""Reads of technicians: who is qualified for a piece of work, and why not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from dispatch_platform.sites.choices import CLEARANCE_RANK
from dispatch_platform.tenancy.models import Organization

from .models import Certification, Technician


@dataclass(frozen=True)
class Requirements:
    """What a piece of work needs of the technician who does it."""

    skills: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()
    clearance: str = "none"


def technician_list(*, organization: Organization, active_only: bool = True) -> QuerySet[Technician]:
    qs = Technician.objects.for_organization(organization)
    if active_only:
        qs = qs.filter(active=True)
    return qs.prefetch_related("skills", "certifications")


def technician_get(*, organization: Organization, technician_id: int) -> Technician | None:
    return Technician.objects.for_organization(organization).filter(pk=technician_id).first()


def qualification_gaps(technician: Technician, requirements: Requirements, *, on: dt.date) -> list[str]:
    """What the technician lacks for the work; empty when qualified. Uses prefetched skills/certs."""
    gaps = []
    skills = {s.code for s in technician.skills.all()}
    if missing := sorted(requirements.skills - skills):
        gaps.append("missing skill " + ", ".join(missing))
    valid = {c.code for c in technician.certifications.all() if c.is_valid_on(on)}
    held = {c.code for c in technician.certifications.all()}
    for code in sorted(requirements.certifications - valid):
        gaps.append(f"certification {code} expired" if code in held else f"missing certification {code}")
    if CLEARANCE_RANK.get(technician.clearance, 0) < CLEARANCE_RANK.get(requirements.clearance, 0):
        gaps.append(f"clearance {technician.clearance}, site needs {requirements.clearance}")
    if not technician.active:
        gaps.append("inactive")
    return gaps


def technicians_qualified_for(
    *, organization: Organization, requirements: Requirements, on: dt.date
) -> list[Technician]:
    """Active technicians with every skill, a valid certification for each one required, and the clearance."""
    candidates: Iterable[Technician] = (
        Technician.objects.for_organization(organization)
        .filter(active=True)
        .prefetch_related("skills", Prefetch("certifications", queryset=Certification.objects.all()))
    )
    return [t for t in candidates if not qualification_gaps(t, requirements, on=on)]
