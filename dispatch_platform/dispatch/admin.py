from django.contrib import admin

from .models import Assignment, DispatchPlan


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ("ticket", "technician")


@admin.register(DispatchPlan)
class DispatchPlanAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "status", "objective", "created_at", "applied_at")
    list_filter = ("organization", "status")
    inlines = [AssignmentInline]
