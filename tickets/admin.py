from django.contrib import admin

from .models import Attachment, Ticket, TicketEvent


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "kind", "actor_label", "from_status", "to_status", "message", "data")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "organization", "priority", "status", "site", "technician", "opened_at")
    list_filter = ("organization", "priority", "status", "job_type", "source")
    search_fields = ("number", "external_id", "title")
    raw_id_fields = ("site", "technician")
    inlines = [TicketEventInline]


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "from_status", "to_status", "actor_label", "created_at")
    list_filter = ("organization", "kind")
    raw_id_fields = ("ticket",)

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is append-only


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "ticket", "organization", "kind", "content_type", "size", "uploaded_by", "created_at")
    list_filter = ("organization", "kind", "content_type")
    raw_id_fields = ("ticket",)
