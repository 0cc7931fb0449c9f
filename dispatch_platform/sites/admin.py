from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import Customer, Site
from .resources import SiteResource


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "external_id")
    list_filter = ("organization",)
    search_fields = ("name", "external_id")


@admin.register(Site)
class SiteAdmin(ImportExportModelAdmin):
    resource_classes = [SiteResource]
    list_display = ("name", "organization", "customer", "city", "state", "timezone", "region", "criticality")
    list_filter = ("organization", "region", "criticality", "timezone")
    search_fields = ("name", "external_id", "city", "postal_code")
