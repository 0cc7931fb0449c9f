from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import Part, Reservation, StockLevel, StockLocation, StockMovement
from .resources import PartResource, StockLevelResource


@admin.register(Part)
class PartAdmin(ImportExportModelAdmin):
    resource_classes = [PartResource]
    list_display = ("sku", "name", "organization", "unit_cost")
    list_filter = ("organization",)
    search_fields = ("sku", "name")


@admin.register(StockLevel)
class StockLevelAdmin(ImportExportModelAdmin):
    """Stock on hand per location; the CSV import is how an onboarding admin loads warehouses and vans."""

    resource_classes = [StockLevelResource]
    list_display = ("part", "location", "quantity")
    list_filter = ("location__organization", "location__kind")
    search_fields = ("part__sku", "part__name", "location__name")
    list_select_related = ("part", "location")


class StockLevelInline(admin.TabularInline):
    model = StockLevel
    extra = 0


@admin.register(StockLocation)
class StockLocationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "technician")
    list_filter = ("organization", "kind")
    inlines = [StockLevelInline]


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ("ticket", "part", "location", "quantity", "status")
    list_filter = ("organization", "status")


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ("part", "from_location", "to_location", "quantity", "reason", "created_at")
    list_filter = ("organization",)

    def has_change_permission(self, request, obj=None):
        return False  # append-only
