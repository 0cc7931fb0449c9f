from django.shortcuts import render

from dispatch_platform.tenancy.decorators import DISPATCH_ROLES, role_required

from .choices import OPEN_STATUSES
from .models import Ticket


@role_required(*DISPATCH_ROLES)
def queue(request):
    tickets = (
        Ticket.objects.for_organization(request.organization)
        .filter(status__in=OPEN_STATUSES)
        .select_related("site", "technician")
        .order_by("opened_at")
    )
    return render(request, "tickets/queue.html", {"tickets": tickets})
