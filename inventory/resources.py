"""CSV/XLSX onboarding of parts and of stock on hand.

Parts: organization (slug), sku, name, unit_cost.

Stock levels: organization (slug), sku, location (a stock location's name) or technician_email (that
technician's van; created at their home base, "Van - <name>", when they have none), quantity (the count on hand,
0 or more). A re-import sets the count; every change is also written to the stock ledger (StockMovement,
reason "CSV import"). An unknown SKU, location or technician is an error of its row naming the column, and
nothing of that row is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from dispatch_platform.sites.resources import OnboardingResource, OrganizationWidget

from .models import Part, StockLevel, StockLocation, StockMovement

IMPORT_REASON = "CSV import"


class CountWidget(widgets.IntegerWidget):
    """A whole number of items; anything else (a typo, "lots", 2.5) is an error of the quantity column."""

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        try:
            number = float(text)  # a spreadsheet may hand over 10 as 10.0
        except ValueError:
            number = None
        if number is None or not number.is_integer():
            raise ValueError(f"'{text}' is not a whole number." if text else "Required.")
        return int(number)


class PartResource(OnboardingResource):
    organization = fields.Field(attribute="organization", column_name="organization", widget=OrganizationWidget())

    class Meta:
        model = Part
        import_id_fields = ("organization", "sku")
        fields = ("organization", "sku", "name", "unit_cost")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class StockLevelResource(OnboardingResource):
    # Keys of the row, resolved in before_import_row within the row's organization (never another tenant's).
    organization = fields.Field(column_name="organization")
    sku = fields.Field(column_name="sku")
    location = fields.Field(column_name="location")
    technician_email = fields.Field(column_name="technician_email")
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=CountWidget())

    class Meta:
        model = StockLevel
        fields = ("organization", "sku", "location", "technician_email", "quantity")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return StockLevel.objects.select_related("part", "location__organization", "location__technician")

    def before_import_row(self, row, **kwargs):
        organization = self.organization_of(row, user=kwargs.get("user"))
        errors: dict[str, list[str]] = {}
        sku = str(row.get("sku") or "").strip()
        part = Part.objects.for_organization(organization).filter(sku=sku).first() if sku else None
        if part is None:
            errors["sku"] = [f"No part with SKU '{sku}'; import the parts first." if sku else "Required."]
        try:
            location = self._location(organization, row)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        self._keys = (part, location)

    @staticmethod
    def _location(organization, row) -> StockLocation:
        name = str(row.get("location") or "").strip()
        email = str(row.get("technician_email") or "").strip()
        locations = StockLocation.objects.for_organization(organization)
        if email:
            technician_model = StockLocation._meta.get_field("technician").related_model
            technicians = list(technician_model.objects.for_organization(organization).filter(email__iexact=email)[:2])
            if len(technicians) != 1:
                raise ValidationError({"technician_email": [
                    f"No technician with email '{email}'." if not technicians
                    else f"Several technicians have email '{email}'; give the van by its location name."]})
            technician = technicians[0]
            van = locations.filter(technician=technician).first()
            if van is None:
                van = StockLocation.objects.create(
                    organization=organization, name=f"Van - {technician.name}", kind=StockLocation.Kind.VAN,
                    latitude=technician.home_latitude, longitude=technician.home_longitude, technician=technician,
                )
            if name and name != van.name:
                raise ValidationError({"location": [f"'{name}' is not the van of {email} ('{van.name}')."]})
            return van
        if not name:
            raise ValidationError({"location": ["Give a location name or a technician_email."]})
        found = list(locations.filter(name=name)[:2])
        if len(found) != 1:
            raise ValidationError({"location": [
                f"No stock location named '{name}'; create it in the admin first." if not found
                else f"Several stock locations are named '{name}'; rename one."]})
        return found[0]

    def get_instance(self, instance_loader, row):
        part, location = self._keys
        return StockLevel.objects.filter(part=part, location=location).first()

    def init_instance(self, row=None):
        part, location = self._keys
        return StockLevel(part=part, location=location, quantity=0)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance.quantity_before = 0 if new else instance.quantity

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.quantity is None or instance.quantity < 0:
            raise ValidationError({"quantity": ["A count of 0 or more is needed."]})

    def after_save_instance(self, instance, row, **kwargs):
        change = instance.quantity - instance.quantity_before
        if not change or (self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs)):
            return
        StockMovement.objects.create(
            organization=instance.location.organization, part=instance.part, quantity=abs(change),
            to_location=instance.location if change > 0 else None,
            from_location=instance.location if change < 0 else None, reason=IMPORT_REASON,
        )

    def dehydrate_organization(self, level):
        return level.location.organization.slug

    def dehydrate_sku(self, level):
        return level.part.sku

    def dehydrate_location(self, level):
        return level.location.name

    def dehydrate_technician_email(self, level):
        return level.location.technician.email if level.location.technician_id else ""
