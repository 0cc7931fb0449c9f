from django import forms
from django.contrib import admin, messages

from .models import EVENTS, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from .services import webhook_redeliver


class RecentDeliveries(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    max_num = 0
    fields = readonly_fields = ("event", "status", "attempts", "last_status_code", "last_latency_ms", "last_error",
                                "delivered_at")
    ordering = ["-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https",
                         help_text=WebhookSubscription._meta.get_field("url").help_text)
    events = forms.MultipleChoiceField(choices=[(name, name) for name in EVENTS], required=False,
                                       widget=forms.CheckboxSelectMultiple, help_text="None ticked: every event.")
    servicenow_password = forms.CharField(required=False, widget=forms.PasswordInput,
                                          help_text="ServiceNow format. Left empty: unchanged.")

    class Meta:
        model = WebhookSubscription
        fields = ["organization", "url", "events", "secret", "format", "servicenow_user", "servicenow_password",
                  "servicenow_close_code", "description", "active"]

    def clean_servicenow_password(self):
        # Never shown back (like the API): an empty field keeps the stored password.
        return self.cleaned_data["servicenow_password"] or self.instance.servicenow_password


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("url", "organization", "format", "active", "description")
    list_filter = ("organization", "format", "active")
    inlines = [RecentDeliveries]


class AttemptLog(admin.TabularInline):
    """Every attempt of the delivery, newest first, as the receiver answered it."""

    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "started_at", "status_code", "latency_ms", "error", "response_excerpt")
    ordering = ["-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event_name", "subscription", "status", "attempts", "last_status_code", "last_latency_ms",
                    "next_attempt_at", "delivered_at", "redelivered_at")
    list_filter = ("status", "event__name", "organization")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["redeliver"]
    list_select_related = ("event", "subscription")
    inlines = [AttemptLog]

    @admin.display(description="event")
    def event_name(self, obj):
        return obj.event.name

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request, queryset):
        count = 0
        for organization_id in set(queryset.values_list("organization_id", flat=True)):
            count += webhook_redeliver(organization_id=organization_id,
                                       delivery_ids=list(queryset.filter(organization_id=organization_id)
                                                         .values_list("id", flat=True)),
                                       actor=request.user)
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "organization", "ticket", "created_at")
    list_filter = ("organization", "name")
    raw_id_fields = ("ticket",)
