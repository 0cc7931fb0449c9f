from django.contrib import admin

from .models import Assignment, DispatchPlan, DispatchPlanPart


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ("ticket", "technician")


class DispatchPlanPartInline(admin.TabularInline):
    """The regional parts of a split plan; their problem and solution JSON are left out (hundreds of KB)."""

    model = DispatchPlanPart
    extra = 0
    can_delete = False
    fields = ("index", "status", "jobs", "technicians", "served", "solve_seconds", "deadline_at", "started_at",
              "finished_at", "worker", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DispatchPlan)
class DispatchPlanAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "status", "objective", "created_at", "applied_at")
    list_filter = ("organization", "status")
    inlines = [DispatchPlanPartInline, AssignmentInline]
