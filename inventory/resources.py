"""CSV/XLSX onboarding of parts: organization (slug), sku, name, unit_cost."""

from import_export import fields, resources

from dispatch_platform.sites.resources import OrganizationWidget

from .models import Part


class PartResource(resources.ModelResource):
    organization = fields.Field(attribute="organization", column_name="organization", widget=OrganizationWidget())

    class Meta:
        model = Part
        import_id_fields = ("organization", "sku")
        fields = ("organization", "sku", "name", "unit_cost")
        clean_model_instances = True
        skip_unchanged = True
