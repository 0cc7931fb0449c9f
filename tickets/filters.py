import django_filters

from .choices import JobType, Priority, TicketStatus
from .models import Ticket


class TicketFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    job_type = django_filters.ChoiceFilter(choices=JobType.choices)
    site = django_filters.NumberFilter(field_name="site_id")
    technician = django_filters.NumberFilter(field_name="technician_id")
    customer = django_filters.NumberFilter(field_name="site__customer_id")
    region = django_filters.CharFilter(field_name="site__region")
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ordering = django_filters.OrderingFilter(fields=("opened_at", "updated_at", "priority", "number"))

    class Meta:
        model = Ticket
        fields = []
