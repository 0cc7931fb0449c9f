"""ITSM endpoints under /api/v1/integrations/: one view per product; each parses, calls itsm_intake, renders.

Answers: 201 with the ticket when created, 200 when updated (or a recognised re-delivery; an ITSM status
our lifecycle cannot take from here is noted on the ticket, not refused), 400 `{"<vendor field>": ["..."]}`
or `{"mapping": ["<source>.<key>: ..."]}` with nothing written, 401 for a missing or wrong Jira signature.
Jira also: 200 with the ticket for a comment event (the comment noted), 404 `{"issue.key": [...]}` for a
comment on an issue with no ticket, 200 `{"ignored": "<event>"}` for any other event type.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch_platform.api.idempotency import IdempotencyMixin
from dispatch_platform.tenancy.authentication import ApiClientPrincipal
from dispatch_platform.tenancy.models import ApiClient
from dispatch_platform.tenancy.selectors import api_client_for_public_id, api_client_seen

from .. import selectors
from ..api import TicketSerializer, actor_for
from . import common, freshservice, jira, servicenow
from .services import itsm_intake

RESPONSES = {
    201: OpenApiResponse(TicketSerializer, "Ticket created"),
    200: OpenApiResponse(TicketSerializer, "Ticket updated (or a re-delivery: unchanged)"),
    400: OpenApiResponse(description='{"<vendor field>": ["message"]} or {"mapping": ["<source>.<key>: message"]}; '
                                     "nothing written"),
}


def client_mapping(request) -> dict:
    """The calling ApiClient's mapping; people in the browser get the defaults."""
    return request.auth.mapping or {} if isinstance(request.auth, ApiClient) else {}


class IntakeApi(IdempotencyMixin, APIView):
    """Base: subclasses say how to parse; the rest (intake, answer) is shared."""

    def parse(self, request, payload: dict, mapping: dict) -> common.Intake | common.Ignored:
        raise NotImplementedError

    def delivery_id(self, request) -> str:
        return ""

    def post(self, request, *args, **kwargs):
        mapping = client_mapping(request)
        payload = request.data
        if not isinstance(payload, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        intake = self.parse(request, payload, mapping)
        if isinstance(intake, common.Ignored):
            return Response({"ignored": intake.event}, status=status.HTTP_200_OK)
        ticket, created = itsm_intake(organization=request.organization, actor=actor_for(request), intake=intake,
                                      delivery_id=self.delivery_id(request))
        ticket = selectors.ticket_get(organization=request.organization, ticket_id=ticket.pk)
        return Response(TicketSerializer(ticket, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ServiceNowIncidentApi(IntakeApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=RESPONSES, operation_id="integrations_servicenow_incident",
                   description="A ServiceNow incident, bare or as {\"result\": {...}}, raw or display values.")
    def post(self, request):
        return super().post(request)

    def parse(self, request, payload, mapping):
        return servicenow.parse(payload, mapping)


JIRA_RESPONSES = {
    **RESPONSES,
    200: OpenApiResponse(TicketSerializer, "Ticket updated, a comment added as a note, or a re-delivery "
                                           '(unchanged); another event type answers {"ignored": "<event>"}'),
    401: OpenApiResponse(description="Missing or invalid X-Hub-Signature"),
    404: OpenApiResponse(description='A comment event for an issue with no ticket: {"issue.key": ["message"]}'),
}


class JiraWebhookApi(IntakeApi):
    @extend_schema(
        request=OpenApiTypes.OBJECT, responses=JIRA_RESPONSES,
        operation_id="integrations_jira_webhook",
        parameters=[
            OpenApiParameter("X-Atlassian-Webhook-Identifier", str, OpenApiParameter.HEADER, required=False),
            OpenApiParameter("X-Hub-Signature", str, OpenApiParameter.HEADER, required=False,
                             description="sha256=<hex HMAC-SHA256 of the raw body>; required with a secret"),
        ],
        description="A Jira webhook body: jira:issue_created / jira:issue_updated create or update the ticket "
                    "(a comment on it becomes a note); comment_created / comment_updated add a note to the "
                    "issue's ticket; other events are acknowledged and ignored.",
    )
    def post(self, request):
        return super().post(request)

    def parse(self, request, payload, mapping):
        secret = common.config(mapping, jira.SOURCE).get("secret")
        if secret and not jira.signature_valid(str(secret), request.body, request.headers.get("X-Hub-Signature")):
            raise exceptions.AuthenticationFailed("Missing or invalid X-Hub-Signature.")
        return jira.parse(payload, mapping)

    def delivery_id(self, request) -> str:
        return request.headers.get("X-Atlassian-Webhook-Identifier", "").strip()

    def initial(self, request, *args, **kwargs):
        # The signature covers the raw body: keep it before DRF parses the stream.
        request._request.body  # noqa: B018
        super().initial(request, *args, **kwargs)


class JiraSignatureAuthentication(authentication.BaseAuthentication):
    """For the per-client Jira URL: the client named by the URL's public id, proven ONLY by the body's
    `X-Hub-Signature` (HMAC-SHA256 with the client's `mapping.jira.secret`). Jira's admin webhooks can send
    no Authorization header; the public id alone is no secret, so no secret configured means no access."""

    def authenticate(self, request):
        client = api_client_for_public_id(request.parser_context["kwargs"].get("public_id", ""))
        if client is None:
            raise exceptions.NotFound("No API client has this webhook URL.")
        if not client.active:
            raise exceptions.AuthenticationFailed("This API client is disabled.")
        section = (client.mapping or {}).get(jira.SOURCE) if isinstance(client.mapping, dict) else None
        secret = section.get("secret") if isinstance(section, dict) else None
        if not isinstance(secret, str) or not secret.strip():
            raise exceptions.AuthenticationFailed(
                "This URL is authenticated by X-Hub-Signature alone, so it needs a webhook secret: set "
                "jira.secret in the API client's mapping and the same secret on the Jira webhook.")
        if not jira.signature_valid(secret, request._request.body, request.headers.get("X-Hub-Signature")):
            raise exceptions.AuthenticationFailed("Missing or invalid X-Hub-Signature.")
        api_client_seen(client)
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request):
        return 'HMAC-SHA256 header="X-Hub-Signature"'  # a 401 (not 403) names what is expected


class JiraSignatureAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tickets.integrations.api.JiraSignatureAuthentication"
    name = "jiraWebhookSignature"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Hub-Signature",
                "description": "sha256=<hex HMAC-SHA256 of the raw body with the client's jira.secret>"}


class JiraClientWebhookApi(JiraWebhookApi):
    """The same webhook at a URL naming the client, for Jira admin webhooks (they cannot send a token)."""

    authentication_classes = [JiraSignatureAuthentication]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={**JIRA_RESPONSES, 401: OpenApiResponse(description="No jira.secret set for the client, or a "
                                                                       "missing or invalid X-Hub-Signature"),
                   404: OpenApiResponse(description="No client has this public id, or a comment event for an "
                                                    'issue with no ticket: {"issue.key": ["message"]}')},
        operation_id="integrations_jira_client_webhook",
        parameters=[
            OpenApiParameter("public_id", str, OpenApiParameter.PATH, description="The API client's public id"),
            OpenApiParameter("X-Atlassian-Webhook-Identifier", str, OpenApiParameter.HEADER, required=False),
            OpenApiParameter("X-Hub-Signature", str, OpenApiParameter.HEADER, required=True,
                             description="sha256=<hex HMAC-SHA256 of the raw body with the client's jira.secret>"),
        ],
        description="The Jira webhook of one API client, for Jira admin webhooks, which cannot send an "
                    "Authorization header: authenticated only by X-Hub-Signature with the client's jira.secret "
                    "(required). Otherwise as /api/v1/integrations/jira/webhook/.",
    )
    def post(self, request, public_id: str):
        return super().post(request)


class FreshserviceWebhookApi(IntakeApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=RESPONSES, operation_id="integrations_freshservice_webhook",
                   description="A Freshservice ticket: the API's {\"ticket\": {...}} or a flat placeholder body.")
    def post(self, request):
        return super().post(request)

    def parse(self, request, payload, mapping):
        return freshservice.parse(payload, mapping)
