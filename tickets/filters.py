import django_filters
from django_filters.constants import EMPTY_VALUES

from .choices import JobType, Priority, TicketStatus
from .models import Ticket


class StableOrderingFilter(django_filters.OrderingFilter):
    """`ordering=...` with `id` last, in the direction of the last field asked for: tickets that tie (a bulk
    import shares one `updated_at`) keep one order from page to page, so paging neither skips nor repeats."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param not in EMPTY_VALUES]
        if ordering and not {o.lstrip("-") for o in ordering} & {"id", "pk"}:
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return qs.order_by(*ordering)


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
    ordering = StableOrderingFilter(fields=("opened_at", "updated_at", "priority", "number", "id"))

    class Meta:
        model = Ticket
        fields = []
