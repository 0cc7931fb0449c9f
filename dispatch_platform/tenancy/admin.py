from django.contrib import admin

from .models import ApiClient, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "default_timezone", "created_at")
    search_fields = ("slug", "name")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("organization", "role")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "token_prefix", "active", "rate_limit", "last_used_at")
    list_filter = ("organization", "active")
    readonly_fields = ("token_prefix", "token_hash", "last_used_at")
