"""REST: /api/v1/tickets/ — intake (idempotent upsert), list with filters, transition, assign."""

from __future__ import annotations

import copy
import datetime as dt
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dispatch_platform.api.pagination import DefaultPagination
from dispatch_platform.api.scoping import OrganizationScopedViewSet, ScopedPrimaryKeyRelatedField
from dispatch_platform.common.calendar import business_minutes_remaining
from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.sites.models import Site
from dispatch_platform.sites.selectors import site_calendar, site_get_by_external_id, site_list
from dispatch_platform.tenancy.models import ApiClient
from technicians.models import Technician

from . import selectors, services
from .choices import JobType, Priority, ResolutionCode, TicketStatus
from .filters import TicketFilterSet
from .models import Ticket, TicketEvent


def actor_for(request) -> services.Actor:
    if isinstance(request.auth, ApiClient):
        return services.Actor.for_client(request.auth)
    return services.Actor.for_user(request.user)


class AssetSerializer(serializers.Serializer):
    make = serializers.CharField(required=False, allow_blank=True, max_length=100)
    model = serializers.CharField(required=False, allow_blank=True, max_length=100)
    serial = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    email = serializers.EmailField(required=False, allow_blank=True)


class PartLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, default=1)


class ClockSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    state = serializers.CharField()
    met_at = serializers.DateTimeField(allow_null=True)
    at_risk_at = serializers.DateTimeField()
    business_minutes_remaining = serializers.FloatField(
        allow_null=True, help_text="Minutes of the target's clock until due (negative when overdue); null once met"
    )


_DATETIME = serializers.DateTimeField()


def _moment(value):
    return None if value is None else _DATETIME.to_representation(value)


class _WholeTicketField(serializers.Field):
    """A field over several model fields (source "*"): its value is a dict of them; null clears them."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, allow_null=True, **kwargs)

    def validate_empty_values(self, data):
        if data is None:  # null is a value here (it clears), mapped by to_internal_value
            return False, None
        return super().validate_empty_values(data)


ACCESS_WINDOW_SCHEMA = {
    "type": "object", "nullable": True,
    "description": "When the site lets the technician in for this ticket; visits are timed to start inside "
                   "it. ISO 8601 with a UTC offset (answered in UTC); null clears it.",
    "properties": {"start": {"type": "string", "format": "date-time"},
                   "end": {"type": "string", "format": "date-time"}},
    "required": ["start", "end"],
    "example": {"start": "2026-12-07T06:00:00-05:00", "end": "2026-12-07T09:00:00-05:00"},
}


@extend_schema_field(ACCESS_WINDOW_SCHEMA)
class AccessWindowField(_WholeTicketField):
    """`{"start", "end"}` ⇄ the ticket's access_start / access_end."""

    default_error_messages = {"invalid": 'Expected {{"start": datetime, "end": datetime}} or null.'}

    def to_internal_value(self, data):
        if data is None:
            return {"access_start": None, "access_end": None}
        if not isinstance(data, dict):
            self.fail("invalid")
        bounds, problems = {}, []
        for bound in ("start", "end"):
            value = data.get(bound)
            if value in (None, ""):
                problems.append(f"{bound} is required.")
                continue
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is None:
                problems.append(f"{bound}: '{value}' is not an ISO 8601 date and time.")
            elif parsed.tzinfo is None:
                problems.append(f"{bound}: give a UTC offset (e.g. {value}+00:00); the site's time is ambiguous.")
            else:
                bounds[bound] = parsed
        if not problems and bounds["end"] <= bounds["start"]:
            problems.append("end must be after start.")
        if problems:
            raise serializers.ValidationError(problems)
        # Kept in UTC, as the database and the answer have it (the audit trail compares like with like).
        return {"access_start": bounds["start"].astimezone(dt.UTC), "access_end": bounds["end"].astimezone(dt.UTC)}

    def to_representation(self, ticket):
        if ticket.access_window is None:
            return None
        start, end = ticket.access_window
        return {"start": _moment(start), "end": _moment(end)}


class SlaPolicyField(_WholeTicketField):
    """Written: the tenant's SLA policy id or exact name (null: back to the most specific policy).
    Read: the policy the ticket's clocks run under, `{"id", "name"}`, whether named or chosen."""

    default_error_messages = {"invalid": "Give the SLA policy's id or its exact name."}

    def to_internal_value(self, data):
        if data is None:
            return {"sla_policy_id": None}
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).strip():
            self.fail("invalid")
        # A bulk intake reads the policies its items name once (context "sla_policies").
        choices = self.context.get("sla_policies")
        if choices is None:
            choices = selectors.sla_policy_choices(organization=self.context["request"].organization,
                                                   references=[data])
        policy, problem = choices.resolve(data)
        if policy is None:
            raise serializers.ValidationError(problem)
        if not policy.active:
            raise serializers.ValidationError(f"The SLA policy '{policy.name}' is not active.")
        return {"sla_policy_id": policy.pk, "_sla_policy": policy}

    def to_representation(self, ticket):
        clock = next((c for c in ticket.sla_clocks.all() if c.policy_id is not None), None)
        return None if clock is None else {"id": clock.policy_id, "name": clock.policy.name}


class SlaPolicyFieldSchema(OpenApiSerializerFieldExtension):
    """SlaPolicyField is a reference when written and an object when read."""

    target_class = SlaPolicyField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True,
                    "description": "The SLA policy the ticket must run under (the customer's contract tier): "
                                   "its id or exact name, instead of the most specific policy. null: the most "
                                   "specific policy again. The policy needs a target for the ticket's priority."}
        return {"type": "object", "nullable": True, "readOnly": True,
                "description": "The policy the ticket's SLA clocks run under (named or chosen); null without clocks.",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}


class SlaSerializer(serializers.Serializer):
    response = ClockSerializer(allow_null=True)
    resolution = ClockSerializer(allow_null=True)


class TicketSerializer(serializers.ModelSerializer):
    source = serializers.CharField(max_length=40, default="api")
    external_id = serializers.CharField(max_length=100, required=False)
    title = serializers.CharField(max_length=300, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    job_type = serializers.ChoiceField(choices=JobType.choices, required=False)
    site = ScopedPrimaryKeyRelatedField(model=Site, required=False)
    site_external_id = serializers.CharField(write_only=True, required=False)
    required_skills = serializers.ListField(child=serializers.SlugField(max_length=50), required=False)
    required_certifications = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    asset = AssetSerializer(required=False)
    contact = ContactSerializer(required=False)
    parts = PartLineSerializer(many=True, required=False)
    parts_used = PartLineSerializer(many=True, read_only=True)
    opened_at = serializers.DateTimeField(required=False)
    access_window = AccessWindowField()
    sla_policy = SlaPolicyField()
    sla = serializers.SerializerMethodField()
    site_name = serializers.CharField(source="site.name", read_only=True)
    technician_name = serializers.CharField(source="technician.name", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "source", "external_id", "title", "description", "priority", "job_type", "site",
            "site_external_id", "site_name", "required_skills", "required_certifications", "asset", "contact",
            "diagnostics", "parts", "opened_at", "access_window", "sla_policy", "status", "created_at", "updated_at", "technician",
            "technician_name", "scheduled_start", "eta", "sla", "first_time_fix", "visits", "time_on_site_minutes",
            "resolution_code", "resolution_notes", "signed_off_by", "parts_used",
        ]
        read_only_fields = ["signed_off_by",
            "id", "number", "status", "created_at", "updated_at", "technician", "scheduled_start", "eta",
            "first_time_fix", "visits", "time_on_site_minutes", "resolution_code", "resolution_notes", "parts_used",
        ]
        validators = []  # (source, external_id) duplicates are upserts, not errors

    def get_fields(self):
        # ModelSerializer builds its fields from the model on every instance (about 2 ms for this one, more
        # than validating a ticket); build them once per class and copy, as DRF does with declared fields.
        cls = type(self)
        if "_model_fields" not in cls.__dict__:
            cls._model_fields = super().get_fields()
        return copy.deepcopy(cls._model_fields)

    @extend_schema_field(SlaSerializer)
    def get_sla(self, ticket: Ticket) -> dict:
        clocks = {c.kind: c for c in ticket.sla_clocks.all()}
        now = timezone.now()

        def remaining(c) -> float | None:
            if c.met_at is not None or c.state in ("met", "cancelled"):
                return None
            calendar = site_calendar(ticket.site, ticket.site.organization)
            # A paused clock's remaining time is frozen at the moment it paused.
            moment = c.paused_at if c.state == "paused" and c.paused_at else now
            return round(business_minutes_remaining(c.target, calendar, moment, c.due_at), 1)

        def one(kind):
            c = clocks.get(kind)
            if c is None:
                return None
            return {"due_at": _moment(c.due_at), "state": c.state, "met_at": _moment(c.met_at),
                    "at_risk_at": _moment(c.at_risk_at), "business_minutes_remaining": remaining(c)}

        # Built directly (SlaSerializer documents it): a serializer per ticket would build its fields anew.
        return {"response": one("response"), "resolution": one("resolution")}

    def validate(self, attrs):
        policy = attrs.pop("_sla_policy", None)
        if policy is not None and attrs.get("priority") and attrs["priority"] not in policy.priorities:
            # Without a priority in the request (an update), the SLA app checks the ticket's own.
            raise serializers.ValidationError({
                "sla_policy": [f"The SLA policy '{policy.name}' has no target for {attrs['priority']}."],
                "priority": [f"{policy.name} times {', '.join(sorted(policy.priorities)) or 'no priority'}."]})
        if external := attrs.pop("site_external_id", None):
            # A bulk intake looks its sites up once for all items (context "sites_by_external_id").
            known = self.context.get("sites_by_external_id")
            if known is not None:
                site = known.get(external)
            else:
                site = site_get_by_external_id(organization=self.context["request"].organization, external_id=external)
            if site is None:
                raise serializers.ValidationError({"site_external_id": [f"No site with external id '{external}'."]})
            attrs["site"] = site
        return attrs


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    signed_off_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                          help_text="On completion: who accepted the work on site")
    # Optional; left out, they leave the ticket's values as they are. Given with another status: 400.
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.choices, required=False,
        help_text="Only with status completed: how the work ended")
    resolution_notes = serializers.CharField(
        required=False, allow_blank=True, max_length=10000,
        help_text="Only with status completed: what was done (without it, `note` is the resolution notes)")
    parts_used = PartLineSerializer(
        many=True, required=False,
        help_text="Only with status completed or needs_revisit: parts fitted on this visit, SKUs of the "
                  "organization's catalogue. Added to the ticket's parts_used and taken out of the technician's "
                  "van stock (never below zero; a shortfall is recorded in the status event)")

    def validate(self, attrs):
        if "parts_used" in attrs:
            attrs["parts_used"] = [dict(line) for line in attrs["parts_used"]]
        return attrs


class AssignSerializer(serializers.Serializer):
    technician = ScopedPrimaryKeyRelatedField(model=Technician)
    scheduled_start = serializers.DateTimeField(required=False, allow_null=True)


BULK_LIMIT = 1000


def _intake_data(validated: dict) -> dict:
    """Validated serializer data → plain values for tickets.services (nested serializers → dicts)."""
    data = dict(validated)
    for nested in ("asset", "contact"):
        if nested in data:
            data[nested] = dict(data[nested])
    if "parts" in data:
        data["parts"] = [dict(p) for p in data["parts"]]
    return data


def _intake_args(validated: dict) -> tuple[str, str, dict]:
    data = _intake_data(validated)
    source = data.pop("source", "api")
    external_id = data.pop("external_id", None)
    if external_id is None:
        # Without an external id a POST cannot be matched to an earlier one: each creates a ticket.
        external_id = f"{source}-{uuid.uuid4().hex}"
    return source, external_id, data


def _upsert_validated(request, validated: dict) -> tuple[Ticket, bool]:
    source, external_id, data = _intake_args(validated)
    return services.ticket_upsert(organization=request.organization, actor=actor_for(request), source=source,
                                  external_id=external_id, data=data)


def _bulk_create_new(request, valid: list[tuple[int, dict]]) -> dict[int, Ticket]:
    """The items of a bulk intake that are new tickets, created in a few statements. Returns {index: ticket};
    items it leaves out (updates, repeats within the batch, incomplete ones) go one by one."""
    args = {index: _intake_args(validated) for index, validated in valid}
    pairs = {(source, external_id) for source, external_id, _ in args.values()}
    existing = set(
        Ticket.objects.for_organization(request.organization)
        .filter(source__in={p[0] for p in pairs}, external_id__in={p[1] for p in pairs})
        .values_list("source", "external_id")
    )
    fresh, seen = [], set()
    for index, (source, external_id, data) in args.items():
        pair = (source, external_id)
        if pair in existing or pair in seen or services._missing_required(data):
            continue
        seen.add(pair)
        fresh.append((index, (source, external_id, data)))
    if not fresh:
        return {}
    try:
        tickets = services.tickets_create_many(organization=request.organization, actor=actor_for(request),
                                               items=[item for _, item in fresh])
    except (IntegrityError, ApplicationError):
        # A concurrent intake took one of the pairs, or a policy an item names was retired since it was
        # checked: every item goes the careful way, and answers for itself.
        return {}
    return {index: ticket for (index, _), ticket in zip(fresh, tickets, strict=True)}


class NoteSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="message", max_length=10000)
    author = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class BulkSerializer(serializers.Serializer):
    tickets = TicketSerializer(many=True)


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "error"])
    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(required=False)
    errors = serializers.DictField(allow_null=True)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationScopedViewSet):
    serializer_class = TicketSerializer
    filterset_class = TicketFilterSet
    selector = staticmethod(selectors.ticket_list)
    # `?updated_since=...&ordering=updated_at` (incremental sync) pages by position: see DefaultPagination.
    keyset_fields = ("updated_at",)

    @extend_schema(
        request=TicketSerializer,
        responses={201: TicketSerializer, 200: OpenApiResponse(TicketSerializer, "Existing (source, external_id): updated")},
        description="Creates a ticket, or updates the one with the same (source, external_id).",
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket, created = _upsert_validated(request, serializer.validated_data)
        if created:
            # The new ticket as written, with its site and the clocks the SLA app just started: nothing to read.
            ticket.site.organization = request.organization
        else:
            ticket = selectors.ticket_get(organization=request.organization, ticket_id=ticket.pk)
        # The validating serializer answers too, as after DRF's save(): its fields are built already.
        serializer.instance = ticket
        return Response(serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=TicketSerializer, responses={200: TicketSerializer},
                   description="Changes intake fields (title, priority, site, ...); source and external_id stay.")
    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        serializer = self.get_serializer(ticket, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fixed = [f for f in ("source", "external_id") if f in serializer.validated_data]
        if fixed:
            raise serializers.ValidationError({f: ["Cannot be changed; it identifies the ticket."] for f in fixed})
        services.ticket_update(organization=request.organization, actor=actor_for(request), ticket=ticket,
                               data=_intake_data(serializer.validated_data))
        return Response(self.get_serializer(selectors.ticket_get(organization=request.organization,
                                                                 ticket_id=ticket.pk)).data)

    @extend_schema(methods=["GET"], responses=NoteSerializer(many=True), operation_id="tickets_notes_list")
    @extend_schema(methods=["POST"], request=NoteSerializer, responses={201: NoteSerializer},
                   operation_id="tickets_notes_create")
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=DefaultPagination)
    def notes(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "POST":
            body = NoteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            note = services.ticket_note_add(organization=request.organization, actor=actor_for(request),
                                            ticket=ticket, text=body.validated_data["message"])
            return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
        rows = selectors.ticket_notes(organization=request.organization, ticket=ticket)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(
        request=BulkSerializer,
        responses={200: BulkResultSerializer(many=True),
                   413: OpenApiResponse(description=f'{{"tickets": ["At most {BULK_LIMIT} tickets per request."]}}')},
        description=f"Up to {BULK_LIMIT} tickets, `{{\"tickets\": [...]}}` or a bare list; each is upserted on its "
                    "own (one failing item does not undo the others). Answers one result per item, in order.",
    )
    @action(detail=False, methods=["post"], filterset_class=None)
    def bulk(self, request):
        items = request.data.get("tickets") if isinstance(request.data, dict) else request.data
        if not isinstance(items, list):
            raise serializers.ValidationError({"tickets": ["Send a list of tickets, or {\"tickets\": [...]}."]})
        if len(items) > BULK_LIMIT:
            return Response({"tickets": [f"At most {BULK_LIMIT} tickets per request; got {len(items)}."]},
                            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        results: list[dict | None] = [None] * len(items)
        valid = []
        # The sites the items name, by id or external id, in two queries for the whole bulk.
        objects = [item for item in items if isinstance(item, dict)]
        wanted = {item.get("site_external_id") for item in objects} - {None}
        site_ids = {int(i) for item in objects if isinstance(i := item.get("site"), int | str) and str(i).isdigit()}
        sites = site_list(organization=request.organization)
        context = {
            **self.get_serializer_context(),
            "sites_by_external_id": {site.external_id: site for site in sites.filter(external_id__in=wanted)},
            "sla_policies": selectors.sla_policy_choices(
                organization=request.organization, references=[item.get("sla_policy") for item in objects]),
            "preloaded": {Site: {site.pk: site for site in sites.filter(pk__in=site_ids)}},
        }
        # One serializer validates every item: building a ModelSerializer's fields costs more than
        # validating an item with them.
        serializer = TicketSerializer(context=context)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                results[index] = {"index": index, "status": "error", "id": None,
                                  "errors": {"non_field_errors": ["Expected an object."]}}
                continue
            try:
                valid.append((index, serializer.run_validation(item)))
            except serializers.ValidationError as exc:
                results[index] = {"index": index, "status": "error", "id": None,
                                  "errors": serializers.as_serializer_error(exc)}
        created = _bulk_create_new(request, valid)
        for index, ticket in created.items():
            results[index] = {"index": index, "status": "created", "id": ticket.pk, "number": ticket.number,
                              "errors": None}
        for index, validated in valid:
            if index in created:
                continue
            try:
                ticket, was_created = _upsert_validated(request, validated)
            except ApplicationError as exc:
                results[index] = {"index": index, "status": "error", "id": None,
                                  "errors": exc.extra or {"non_field_errors": [exc.message]}}
            except DjangoValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
                results[index] = {"index": index, "status": "error", "id": None, "errors": errors}
            else:
                results[index] = {"index": index, "status": "created" if was_created else "updated", "id": ticket.pk,
                                  "number": ticket.number, "errors": None}
        return Response(results)

    @extend_schema(request=TransitionSerializer, responses={
        200: TicketSerializer,
        400: OpenApiResponse(description="Bad input, naming the field: an unknown status, resolution code or SKU "
                                         "in parts_used, or a completion field given with another status"),
        409: OpenApiResponse(description="Illegal transition; names the allowed ones")})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        ticket = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.ticket_transition(
            organization=request.organization, actor=actor_for(request), ticket=ticket, **body.validated_data
        )
        return Response(self.get_serializer(selectors.ticket_get(organization=request.organization, ticket_id=ticket.pk)).data)

    @extend_schema(request=AssignSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        ticket = self.get_object()
        body = AssignSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.ticket_assign(
            organization=request.organization, actor=actor_for(request), ticket=ticket,
            technician=body.validated_data["technician"],
            scheduled_start=body.validated_data.get("scheduled_start"),
        )
        return Response(self.get_serializer(selectors.ticket_get(organization=request.organization, ticket_id=ticket.pk)).data)

