from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import Certification, Skill, Technician, TimeOff
from .resources import TechnicianResource


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Technician)
class TechnicianAdmin(ImportExportModelAdmin):
    resource_classes = [TechnicianResource]
    list_display = ("name", "organization", "region", "clearance", "active")
    list_filter = ("organization", "region", "clearance", "active")
    search_fields = ("name", "email")
    filter_horizontal = ("skills",)
    inlines = [CertificationInline, TimeOffInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organization")
    list_filter = ("organization",)
