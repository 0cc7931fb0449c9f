"""CSV/XLSX onboarding of sites (django-import-export, in the admin with a preview and per-row errors).

Columns: organization (slug), customer (name; created when new), name, external_id, address, city, state,
postal_code, country, latitude, longitude, timezone, region, criticality, business_hours, holidays_country,
holidays_subdivision, clearance_required, contact_name, contact_phone, contact_email, access_notes.

Each row goes through the API's rules (services.site_normalise): a US row with a postal code needs no
coordinates, a row without a time zone gets it from its coordinates, business hours and holidays are
validated as `POST /api/v1/sites/` validates them. `business_hours` is a cell such as
`mon-fri 08:00-18:00; sat 09:00-13:00`, `24x7`, `closed` or the API's JSON (common/hours_text.py); empty =
the organization's default hours. `holidays_country` + `holidays_subdivision` (GB + ENG) are the API's
`holidays`; an empty country = no public holidays. A bad value is an error of its row naming the column, and
nothing of that row is written. A row finds its site by external_id (or, without one, by name).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources, widgets
from import_export.results import RowResult

from dispatch_platform.common.calendar import CalendarError
from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.common.hours_text import hours_from_text, hours_to_text
from dispatch_platform.tenancy.models import Membership, Organization

from . import geo, services
from .models import Customer, Site


class _RollBackRow(Exception):
    pass


class OnboardingResource(resources.ModelResource):
    """What every onboarding import shares: one organization per row (by slug, which the importing user must
    administer unless a superuser), and each row in its own savepoint, so a row that fails writes nothing
    (not the customer, skill or van it would have created) while the preview still shows every row."""

    def import_row(self, row, instance_loader, **kwargs):
        try:
            with transaction.atomic():
                result = super().import_row(row, instance_loader, **kwargs)
                if result.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR):
                    raise _RollBackRow
        except _RollBackRow:
            pass
        return result

    # Filled while importing a row from other cells (coordinates from the ZIP code...): when the row has
    # already failed they were not derived, and reporting them missing too would send the admin astray.
    derived_fields: tuple[str, ...] = ()

    def before_import_row(self, row, **kwargs):
        self.organization_of(row, user=kwargs.get("user"))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ArithmeticError:  # the number widgets' decimal.InvalidOperation: an error of the cell too
            raise ValueError(f"'{row.get(field.column_name)}' is not a number.")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not import_validation_errors:
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = dict(import_validation_errors)
        try:
            instance.full_clean(exclude=[*errors, *self.derived_fields], validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        raise ValidationError(errors)

    @staticmethod
    def find_by_key(queryset, row, *, fallback: str, lookup: str):
        """The row's object in its organization (`queryset`): by external_id, or when the row has none (an
        object made through the API without one, exported) by `fallback` among the objects without one."""
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            return queryset.filter(external_id=external_id).first()
        value = str(row.get(fallback) or "").strip()
        matches = list(queryset.filter(external_id="", **{lookup: value})[:2]) if value else []
        if len(matches) > 1:
            raise ValidationError({"external_id": [f"Several have {fallback} '{value}'; give an external_id."]})
        return matches[0] if matches else None

    @staticmethod
    def organization_of(row, user=None) -> Organization:
        slug = str(row.get("organization") or "").strip()
        organization = Organization.objects.filter(slug=slug).first() if slug else None
        if organization is None:
            raise ValidationError({"organization": [f"Unknown organization '{slug}'." if slug else "Required."]})
        if user is not None and not user.is_superuser and not Membership.objects.filter(
            user=user, organization=organization, role=Membership.Role.ADMIN
        ).exists():
            raise ValidationError({"organization": [f"You are not an admin of '{slug}'."]})
        return organization


def column_errors(extra: dict[str, list], renames: dict[str, str] | None = None) -> ValidationError:
    """An ApplicationError's field errors ({"business_hours.mon[0]": [...]}) as errors of the row's columns
    ({"business_hours": ["mon[0]: ..."]}); `renames` maps API fields to columns ("holidays.country")."""
    renames = renames or {}
    errors: dict[str, list[str]] = {}
    for key, messages in extra.items():
        column = renames.get(key)
        detail = ""
        if column is None:
            head = key.split(".", 1)[0].split("[", 1)[0]
            column, detail = renames.get(head, head), key[len(head):].lstrip(".")
        messages = messages if isinstance(messages, list | tuple) else [messages]
        errors.setdefault(column, []).extend(f"{detail}: {m}" if detail else str(m) for m in messages)
    return ValidationError(errors)


class OrganizationWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Organization, field="slug")

    def clean(self, value, row=None, **kwargs):
        organization = Organization.objects.filter(slug=str(value or "").strip()).first()
        if organization is None:
            raise ValueError(f"Unknown organization '{value}'.")
        return organization


class CustomerByNameWidget(widgets.ForeignKeyWidget):
    """A customer of the row's organization, by name; created on first mention."""

    def __init__(self):
        super().__init__(Customer, field="name")

    def clean(self, value, row=None, **kwargs):
        if not value or not str(value).strip():
            raise ValueError("Required.")
        organization = OnboardingResource.organization_of(row)
        customer, _ = Customer.objects.get_or_create(organization=organization, name=str(value).strip())
        return customer


class BusinessHoursWidget(widgets.Widget):
    """A weekly-hours cell (common/hours_text.py) ↔ the API's JSON shape; the services validate the times."""

    def __init__(self, field: str = "business_hours"):
        super().__init__()
        self.field = field

    def clean(self, value, row=None, **kwargs):
        try:
            return hours_from_text(str(value) if value is not None else "", field=self.field)
        except CalendarError as exc:
            raise ValueError(exc.message)

    def render(self, value, obj=None, **kwargs):
        return hours_to_text(value)


class HolidaysWidget(widgets.Widget):
    """Both holiday columns of the row → the API's `holidays` ({"country": "GB", "subdivision": "ENG"})."""

    def clean(self, value, row=None, **kwargs):
        country = str(row.get("holidays_country") or "").strip()
        subdivision = str(row.get("holidays_subdivision") or "").strip()
        if not country and not subdivision:
            return None
        # The API's shape, without an empty subdivision: an exported site reads back equal (unchanged).
        holidays = {"country": country or None}
        if subdivision:
            holidays["subdivision"] = subdivision
        return holidays


HOLIDAY_COLUMNS = {"holidays.country": "holidays_country", "holidays.subdivision": "holidays_subdivision",
                   "holidays": "holidays_country"}


class SiteResource(OnboardingResource):
    organization = fields.Field(attribute="organization", column_name="organization", widget=OrganizationWidget())
    customer = fields.Field(attribute="customer", column_name="customer", widget=CustomerByNameWidget())
    business_hours = fields.Field(attribute="business_hours", column_name="business_hours",
                                  widget=BusinessHoursWidget())
    # Both columns write the whole `holidays` value (from both cells), so a change of either is noticed.
    holidays_country = fields.Field(attribute="holidays", column_name="holidays_country", widget=HolidaysWidget())
    holidays_subdivision = fields.Field(attribute="holidays", column_name="holidays_subdivision",
                                        widget=HolidaysWidget())

    class Meta:
        model = Site
        import_id_fields = ("organization", "external_id")
        fields = ("organization", "customer", "name", "external_id", "address", "city", "state", "postal_code",
                  "country", "latitude", "longitude", "timezone", "region", "criticality", "business_hours",
                  "holidays_country", "holidays_subdivision", "clearance_required",
                  "contact_name", "contact_phone", "contact_email", "access_notes")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    derived_fields = ("latitude", "longitude", "timezone")

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not str(row.get("external_id") or "").strip() and not str(row.get("name") or "").strip():
            raise ValidationError({"external_id": ["Give an external_id (or at least a name) to find the site by."]})

    def get_instance(self, instance_loader, row):
        return OnboardingResource.find_by_key(
            Site.objects.for_organization(self.organization_of(row)), row, fallback="name", lookup="name")

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)  # a cell that does not parse: ValidationError
        instance.country = (instance.country or "US").strip().upper()
        if instance.timezone and not geo.is_timezone(instance.timezone):
            raise ValidationError({"timezone": [f"Unknown IANA time zone '{instance.timezone}'."]})
        keys = ("latitude", "longitude", "postal_code", "country", "timezone", "business_hours", "holidays",
                "closures")
        try:
            data = services.site_normalise({key: getattr(instance, key) for key in keys})
        except ApplicationError as exc:
            raise column_errors(exc.extra, HOLIDAY_COLUMNS)
        for key, value in data.items():
            setattr(instance, key, value)

    def dehydrate_holidays_country(self, site):
        return (site.holidays or {}).get("country") or ""

    def dehydrate_holidays_subdivision(self, site):
        return (site.holidays or {}).get("subdivision") or ""
