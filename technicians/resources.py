"""CSV/XLSX onboarding of technicians: organization (slug), name, email, phone, external_id, home_latitude,
home_longitude, timezone (optional: from home coordinates), region, clearance, skills ("network, pos"),
certifications, shift, max_jobs_per_day, hourly_cost.

Validated as `POST /api/v1/technicians/` validates (its serializer's fields, services.technician_normalise):
- `shift`: the same cell as a site's `business_hours` (`mon-fri 07:00-15:30`, `24x7`, JSON; empty = Mon–Fri
  08:00–17:00), in the technician's time zone;
- `certifications`: `comptia-a+:2027-05-01; ccna:2026-12-31; itil` (a code without a date does not expire) or
  the API's JSON list; the cell is the technician's whole list (empty = none). An expired one is stored (it
  just does not qualify); a bad date is an error of the row naming the column.
A row finds its technician by external_id (or, without one, by email).
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from import_export import fields, widgets
from rest_framework import serializers

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.sites import geo
from dispatch_platform.sites.resources import (
    BusinessHoursWidget,
    OnboardingResource,
    OrganizationWidget,
    column_errors,
)

from . import services
from .api import CertificationSerializer, TechnicianSerializer
from .models import Skill, Technician


class SkillCodesWidget(widgets.ManyToManyWidget):
    """Comma-separated skill codes of the row's organization; new codes become skills."""

    def __init__(self):
        super().__init__(Skill, separator=",", field="code")

    @staticmethod
    def codes(value) -> list[str]:
        return [c.strip().lower() for c in str(value or "").split(",") if c.strip()]

    def clean(self, value, row=None, **kwargs):
        organization = OnboardingResource.organization_of(row)
        return [Skill.objects.get_or_create(organization=organization, code=c)[0] for c in self.codes(value)]

    def render(self, value, obj=None, **kwargs):
        return ", ".join(sorted(s.code for s in value.all())) if value is not None else ""


def certifications_from_text(text: str) -> list[dict]:
    """A certifications cell → the API's list ([{"code": ..., "expires_on": ...}]), not yet validated."""
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Not valid JSON ({exc.msg} at character {exc.pos + 1}).")
        if not isinstance(items, list):
            raise ValueError('JSON certifications are a list such as [{"code": "ccna", "expires_on": "2026-12-31"}].')
        return items
    items = []
    for entry in (e.strip() for e in text.split(";")):
        if entry:
            code, colon, expires_on = (part.strip() for part in entry.rpartition(":"))
            items.append({"code": code, "expires_on": expires_on or None} if colon else {"code": expires_on})
    return items


def certifications_to_text(certifications) -> str:
    return "; ".join(f"{c.code}:{c.expires_on.isoformat()}" if c.expires_on else c.code
                     for c in sorted(certifications, key=lambda c: c.code))


def _messages(detail) -> list[str]:
    """DRF error detail (nested lists/dicts) as flat "where: message" strings."""
    if isinstance(detail, dict):
        return [f"{key}: {m}" for key, value in detail.items() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    return [str(detail)]


class TechnicianResource(OnboardingResource):
    organization = fields.Field(attribute="organization", column_name="organization", widget=OrganizationWidget())
    skills = fields.Field(attribute="skills", column_name="skills", widget=SkillCodesWidget())
    shift = fields.Field(attribute="shift", column_name="shift", widget=BusinessHoursWidget(field="shift"))
    # Stored after the technician (a reverse relation); read and checked in import_instance.
    certifications = fields.Field(column_name="certifications")

    class Meta:
        model = Technician
        import_id_fields = ("organization", "external_id")
        fields = ("organization", "name", "email", "phone", "external_id", "home_latitude", "home_longitude",
                  "timezone", "region", "clearance", "skills", "certifications", "shift", "max_jobs_per_day",
                  "hourly_cost")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    derived_fields = ("timezone",)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not str(row.get("external_id") or "").strip() and not str(row.get("email") or "").strip():
            raise ValidationError({"external_id": ["Give an external_id (or an email) to find the technician by."]})

    def get_instance(self, instance_loader, row):
        return OnboardingResource.find_by_key(
            Technician.objects.for_organization(self.organization_of(row)), row, fallback="email",
            lookup="email__iexact")

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.message_dict
        api_fields = TechnicianSerializer().fields
        for name in ("home_latitude", "home_longitude"):
            if name not in errors and getattr(instance, name) is not None:
                try:
                    api_fields[name].run_validation(getattr(instance, name))
                except serializers.ValidationError as exc:
                    errors[name] = _messages(exc.detail)
        if "skills" in row:
            codes = SkillCodesWidget.codes(row["skills"])
            try:
                api_fields["skills"].run_validation(codes)
            except serializers.ValidationError as exc:  # {index: [message]} → "fibre splicing: message"
                detail = exc.detail
                errors["skills"] = (
                    [f"{codes[i]}: {m}" for i, messages in detail.items() for m in _messages(messages)]
                    if isinstance(detail, dict) else _messages(detail))
        instance.imported_certifications = None
        if "certifications" in row:
            try:
                instance.imported_certifications = self._certifications(row["certifications"])
            except ValueError as exc:
                errors["certifications"] = [str(exc)]
        if instance.timezone and not geo.is_timezone(instance.timezone):
            errors["timezone"] = [f"Unknown IANA time zone '{instance.timezone}'."]
        if errors:
            raise ValidationError(errors)
        keys = ("shift", "timezone", "home_latitude", "home_longitude")
        try:
            data = services.technician_normalise({key: getattr(instance, key) for key in keys})
        except ApplicationError as exc:
            raise column_errors(exc.extra)
        for key, value in data.items():
            setattr(instance, key, value)

    @staticmethod
    def _certifications(cell) -> list[dict]:
        items = certifications_from_text(str(cell or ""))
        serializer = CertificationSerializer(data=items, many=True)
        if not serializer.is_valid():
            errors = serializer.errors if isinstance(serializer.errors, list) else [serializer.errors]
            raise ValueError("; ".join(
                f"{item.get('code') if isinstance(item, dict) else item}: {message}"
                for item, error in zip(items, errors, strict=False) if error for message in _messages(error)
            ))
        certifications = serializer.validated_data
        codes = [c["code"] for c in certifications]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once.")
        return certifications

    def skip_row(self, instance, original, row, import_validation_errors=None):
        certifications = getattr(instance, "imported_certifications", None)
        if certifications is not None and original.pk is not None and (
            {(c["code"], c.get("expires_on")) for c in certifications}
            != {(c.code, c.expires_on) for c in original.certifications.all()}
        ):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        certifications = getattr(instance, "imported_certifications", None)
        if certifications is None or (self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs)):
            return
        services.technician_set_skills_and_certifications(instance, None, certifications)

    def dehydrate_certifications(self, technician):
        return certifications_to_text(technician.certifications.all()) if technician.pk else ""
