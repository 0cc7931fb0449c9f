"""CSV/XLSX onboarding of technicians: organization (slug), name, email, phone, external_id, home_latitude,
home_longitude, timezone (optional: from home coordinates), region, clearance, skills ("network, pos"),
max_jobs_per_day, hourly_cost. Certifications are managed per technician in the admin or the API."""

from __future__ import annotations

from import_export import fields, resources, widgets

from dispatch_platform.sites import geo
from dispatch_platform.sites.resources import OrganizationWidget

from .models import Skill, Technician


class SkillCodesWidget(widgets.ManyToManyWidget):
    """Comma-separated skill codes of the row's organization; new codes become skills."""

    def __init__(self):
        super().__init__(Skill, separator=",", field="code")

    def clean(self, value, row=None, **kwargs):
        from dispatch_platform.tenancy.models import Organization

        organization = Organization.objects.filter(slug=row.get("organization")).first()
        if organization is None:
            raise ValueError(f"unknown organization '{row.get('organization')}'")
        codes = [c.strip().lower() for c in str(value or "").split(self.separator) if c.strip()]
        return [Skill.objects.get_or_create(organization=organization, code=c)[0] for c in codes]

    def render(self, value, obj=None, **kwargs):
        return ", ".join(sorted(s.code for s in value.all())) if value is not None else ""


class TechnicianResource(resources.ModelResource):
    organization = fields.Field(attribute="organization", column_name="organization", widget=OrganizationWidget())
    skills = fields.Field(attribute="skills", column_name="skills", widget=SkillCodesWidget())

    class Meta:
        model = Technician
        import_id_fields = ("organization", "external_id")
        fields = ("organization", "name", "email", "phone", "external_id", "home_latitude", "home_longitude",
                  "timezone", "region", "clearance", "skills", "max_jobs_per_day", "hourly_cost")
        clean_model_instances = True
        skip_unchanged = True

    def before_import_row(self, row, **kwargs):
        if not row.get("external_id"):
            raise ValueError("external_id is required (it identifies the technician on re-import)")
        if not row.get("timezone"):
            tz = geo.timezone_for(float(row["home_latitude"]), float(row["home_longitude"]))
            if tz is None:
                raise ValueError("no time zone found for the home coordinates")
            row["timezone"] = tz
