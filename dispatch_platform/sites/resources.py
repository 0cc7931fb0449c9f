"""CSV/XLSX onboarding of sites (django-import-export, in the admin with a preview and per-row errors).

Columns: organization (slug), customer (name; created when new), name, external_id, address, city, state,
postal_code, country, latitude, longitude, timezone, region, criticality, clearance_required,
contact_name, contact_phone, contact_email, access_notes. A US row with a postal code needs no
coordinates; a row without a time zone gets it from its coordinates.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from dispatch_platform.tenancy.models import Organization

from . import geo
from .models import Customer, Site


class OrganizationWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Organization, field="slug")


class CustomerByNameWidget(widgets.ForeignKeyWidget):
    """A customer of the row's organization, by name; created on first mention."""

    def __init__(self):
        super().__init__(Customer, field="name")

    def clean(self, value, row=None, **kwargs):
        if not value:
            raise ValueError("customer is required")
        organization = Organization.objects.filter(slug=row.get("organization")).first()
        if organization is None:
            raise ValueError(f"unknown organization '{row.get('organization')}'")
        customer, _ = Customer.objects.get_or_create(organization=organization, name=value.strip())
        return customer


class SiteResource(resources.ModelResource):
    organization = fields.Field(attribute="organization", column_name="organization", widget=OrganizationWidget())
    customer = fields.Field(attribute="customer", column_name="customer", widget=CustomerByNameWidget())

    class Meta:
        model = Site
        import_id_fields = ("organization", "external_id")
        fields = ("organization", "customer", "name", "external_id", "address", "city", "state", "postal_code",
                  "country", "latitude", "longitude", "timezone", "region", "criticality", "clearance_required",
                  "contact_name", "contact_phone", "contact_email", "access_notes")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        if not row.get("external_id"):
            raise ValueError("external_id is required (it identifies the site on re-import)")
        if not (row.get("latitude") and row.get("longitude")):
            found = geo.coordinates_for_zip(str(row.get("postal_code") or ""))
            if found is None:
                raise ValueError(f"no coordinates and unknown US postal code '{row.get('postal_code')}'")
            row["latitude"], row["longitude"] = found
        if not row.get("timezone"):
            tz = geo.timezone_for(float(row["latitude"]), float(row["longitude"]))
            if tz is None:
                raise ValueError("no time zone found for these coordinates")
            row["timezone"] = tz
        elif not geo.is_timezone(row["timezone"]):
            raise ValueError(f"unknown time zone '{row['timezone']}'")
        row.setdefault("country", "US")
