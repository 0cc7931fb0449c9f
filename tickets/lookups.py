"""The one way interfaces (pages, API views) fetch a ticket by id: inside the request's tenant, else 404."""

from django.http import Http404

from . import selectors
from .models import Ticket


def ticket_or_404(request, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(organization=request.organization, ticket_id=ticket_id)
    if ticket is None:
        raise Http404("No such ticket")  # another tenant's id looks exactly like a missing one
    return ticket
