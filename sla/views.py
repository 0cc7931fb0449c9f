"""The notification bell: unread count (polled by htmx) and the list, marked read when opened."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dispatch_platform.tenancy.decorators import READ_ROLES, role_required

from .selectors import notifications_for
from .services import notifications_mark_read


@role_required(*READ_ROLES)
def notification_bell(request):
    unread = notifications_for(organization=request.organization, user=request.user, unread_only=True).count()
    return render(request, "sla/partials/_bell.html", {"unread": unread})


@role_required(*READ_ROLES)
def notification_list(request):
    notifications = list(notifications_for(organization=request.organization, user=request.user)[:100])
    return render(request, "sla/notifications.html", {"notifications": notifications})


@require_POST
@role_required(*READ_ROLES)
def notification_mark_all_read(request):
    notifications_mark_read(organization=request.organization, user=request.user)
    return redirect("notifications")
