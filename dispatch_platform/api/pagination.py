import base64
import binascii
import json

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class DefaultPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`; `page_size` up to 500.

    A view may name `keyset_fields`. A list ordered by one of them and then by `id` (the tickets'
    `ordering=updated_at`, which an ITSM's incremental sync pages through) is paged by position rather than
    by page number: `next` carries a `cursor` naming the last row's value and id, and the next page starts
    strictly after that row. A row that changes while the client pages moves to the end instead of shifting
    every later row back a page (which skipped one); rows sharing a value (a bulk import's one `updated_at`)
    are told apart by id, so none is skipped or repeated. `previous` is null on such pages. A request that
    names a `page` is paged by number as before.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    cursor_query_description = "Position after which the page starts (from a `next` link)."

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = None
        keyset = self._keyset_ordering(queryset, view)
        page_size = self.get_page_size(request)
        if keyset is None or not page_size or self.page_query_param in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        field, descending = keyset
        self.count = queryset.count()
        if raw := request.query_params.get(self.cursor_query_param):
            value, last_id = self._cursor_decode(raw, field)
            beyond = "lt" if descending else "gt"
            queryset = queryset.filter(Q(**{f"{field.attname}__{beyond}": value})
                                       | Q(**{field.attname: value, f"id__{beyond}": last_id}))
        rows = list(queryset[: page_size + 1])
        self.keyset = (field, rows[page_size - 1] if len(rows) > page_size else None)
        return rows[:page_size]

    def get_paginated_response(self, data):
        if self.keyset is not None:
            count, next_link, previous_link = self.count, self._keyset_next_link(), None
        else:
            count, next_link, previous_link = self.page.paginator.count, self.get_next_link(), self.get_previous_link()
        return Response({"count": count, "next": next_link, "previous": previous_link, "results": data})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if getattr(view, "keyset_fields", ()) and getattr(view, "action", "list") == "list":
            parameters.append({"name": self.cursor_query_param, "required": False, "in": "query",
                               "description": self.cursor_query_description, "schema": {"type": "string"}})
        return parameters

    @staticmethod
    def _keyset_ordering(queryset, view):
        """(model field, descending) when the queryset is ordered by a keyset field of the view and then id."""
        ordering = getattr(queryset, "query", None) and queryset.query.order_by
        fields = getattr(view, "keyset_fields", ())
        if not fields or not ordering or len(ordering) != 2 or not all(isinstance(o, str) for o in ordering):
            return None
        first, second = ordering
        descending = first.startswith("-")
        name = first.lstrip("-")
        if name not in fields or second != ("-id" if descending else "id"):
            return None
        try:
            return queryset.model._meta.get_field(name), descending
        except FieldDoesNotExist:
            return None

    def _keyset_next_link(self) -> str | None:
        field, last = self.keyset
        if last is None:
            return None
        cursor = json.dumps([field.value_to_string(last), last.pk], separators=(",", ":"))
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param,
                                   base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("="))

    def _cursor_decode(self, raw: str, field):
        try:
            value, last_id = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            value = field.to_python(value)
            if value is None or not isinstance(last_id, int) or isinstance(last_id, bool):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor; follow the `next` link."]}) from None
        return value, last_id
