from django.contrib import admin

from .models import EscalationRule, Notification, SlaClock, SlaPolicy, SlaTarget


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "customer", "region", "active")
    list_filter = ("organization", "active")
    inlines = [SlaTargetInline]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "priority", "state", "due_at", "met_at", "breached_at")
    list_filter = ("organization", "kind", "state", "priority")
    raw_id_fields = ("ticket",)


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "priority", "event", "notify_roles", "emails", "active")
    list_filter = ("organization", "event", "active")
    filter_horizontal = ("notify_users",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "kind", "message", "created_at", "read_at")
    list_filter = ("organization", "kind")
    raw_id_fields = ("ticket", "user")
