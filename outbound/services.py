"""Outbound webhooks: events into the outbox, deliveries out of it — signed, retried, in order per ticket.

Delivery guarantees:
- at least once per (subscription, event), and never two attempts at the same time: an attempt claims
  its delivery with a conditional UPDATE (pending/failed → sending) and goes on only if it won;
- in order per ticket and subscription: a delivery waits while an earlier one for the same ticket is
  still open (pending, sending or failed-and-retrying) and is woken when that one ends;
- retries with exponential backoff and full jitter, up to WEBHOOK_MAX_ATTEMPTS, then "dead" (visible and
  redeliverable in the admin).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dispatch_platform.common.bulk import objects_insert
from dispatch_platform.tenancy.config_token import ConfigCache
from tickets.integrations.servicenow import SOURCE as SERVICENOW_SOURCE
from tickets.models import Ticket

from .models import EVENTS, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from .network import BlockedAddress, open_public
from .payloads import servicenow_update, ticket_summary
from .signing import sign

logger = logging.getLogger(__name__)

OPEN = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING, WebhookDelivery.Status.FAILED)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
RESPONSE_EXCERPT_CHARS = 500  # of a receiver's answer, kept per attempt
USER_AGENT = "dispatch-platform-webhooks/1"
INCIDENT_TABLE = "/api/now/table/incident"
INCIDENT_NUMBER = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _active_subscriptions(organization_id: int) -> list[WebhookSubscription]:
    return list(WebhookSubscription.objects.filter(organization_id=organization_id, active=True))


_ACTIVE_SUBSCRIPTIONS = ConfigCache(_active_subscriptions)

# More deliveries than this at once (a bulk intake's) are queued by a worker, not by the request.
ENQUEUE_INLINE_AT_MOST = 20


def _enqueue(delivery_ids: list[int], countdown: float = 0) -> None:
    from . import tasks

    if len(delivery_ids) > ENQUEUE_INLINE_AT_MOST:
        # Publishing a task costs ~0.8 ms: a thousand of them would double a bulk intake's time. One message
        # here, and a worker publishes the rest (lost with it, they are still sent by the beat safety net).
        transaction.on_commit(lambda: tasks.deliver_each.apply_async(args=[delivery_ids], countdown=countdown))
        return
    transaction.on_commit(lambda: [tasks.deliver.apply_async(args=[i], countdown=countdown) for i in delivery_ids])


# No savepoint of its own: it runs inside the change it records, and fails with it.
@transaction.atomic(savepoint=False)
def webhook_events_emit(*, organization_id: int, events: list[tuple[Ticket | None, str, dict]],
                        config_token: str | None = None) -> list[WebhookEvent]:
    """Writes events (ticket, name, data) to the outbox with a delivery per interested subscription.

    With the organization's `config_token` read under its row lock in this transaction (a new ticket's),
    the subscriptions may come from this process's cache (tenancy.config_token); else one query."""
    subscriptions = _ACTIVE_SUBSCRIPTIONS.get(organization_id, config_token)
    if not subscriptions:
        return []
    now = timezone.now()
    rows = []
    for ticket, name, data in events:
        assert name in EVENTS, name
        payload = {"event": name, "created_at": now.isoformat(), "data": data,
                   "ticket": ticket_summary(ticket) if ticket is not None else None}
        rows.append(WebhookEvent(organization_id=organization_id, ticket=ticket, name=name, payload=payload))
    objects_insert(rows, key=["ticket_id", "name"])
    deliveries = [
        WebhookDelivery(organization_id=organization_id, subscription=sub, event=event,
                        ticket_id_copy=event.ticket_id, next_attempt_at=now)
        for event in rows for sub in subscriptions if sub.wants(event.name)
    ]
    objects_insert(deliveries, key=["subscription_id", "event_id"])
    _enqueue(_heads_of_line(deliveries))
    return rows


def _heads_of_line(deliveries: list[WebhookDelivery]) -> list[int]:
    """The new deliveries that may go at once: a ticket's later event waits behind its earlier open one, which
    wakes it when it ends (_next_in_line). Queued anyway, it would only run to find itself waiting: half the
    task runs of a busy fan-out. (Should the earlier one end before this transaction commits, it finds no
    successor yet; the beat safety net, which queues heads of line, sends it within its 30 s period.)"""
    with_ticket = [d for d in deliveries if d.ticket_id_copy is not None]
    busy = set()
    if with_ticket:
        busy = set(WebhookDelivery.objects.filter(
            subscription_id__in={d.subscription_id for d in with_ticket},
            ticket_id_copy__in={d.ticket_id_copy for d in with_ticket},
            id__lt=min(d.pk for d in with_ticket), status__in=OPEN,
        ).values_list("subscription_id", "ticket_id_copy").distinct())
    heads = []
    for delivery in sorted(deliveries, key=lambda d: d.pk):
        line = (delivery.subscription_id, delivery.ticket_id_copy)
        if delivery.ticket_id_copy is not None:
            if line in busy:
                continue
            busy.add(line)
        heads.append(delivery.pk)
    return heads


def _earlier_open(delivery: WebhookDelivery) -> bool:
    if delivery.ticket_id_copy is None:
        return False
    return WebhookDelivery.objects.filter(subscription_id=delivery.subscription_id,
                                          ticket_id_copy=delivery.ticket_id_copy, id__lt=delivery.pk,
                                          status__in=OPEN).exists()


def _next_in_line(delivery: WebhookDelivery) -> list[int]:
    if delivery.ticket_id_copy is None:
        return []
    nxt = (WebhookDelivery.objects.filter(subscription_id=delivery.subscription_id,
                                          ticket_id_copy=delivery.ticket_id_copy, id__gt=delivery.pk,
                                          status=WebhookDelivery.Status.PENDING)
           .order_by("id").values_list("id", flat=True).first())
    return [nxt] if nxt else []


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return (rng or random).uniform(0, ceiling)


def _body(delivery: WebhookDelivery) -> bytes:
    event = delivery.event
    payload = {**event.payload, "id": event.pk, "delivery": delivery.pk}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


@dataclass
class AttemptResult:
    """What one attempt got back (kept in the delivery's `last_*` fields and a WebhookAttempt row)."""

    status_code: int | None = None
    error: str = ""
    response_excerpt: str = ""
    final: bool = False  # no point retrying

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def _excerpt(response, limit: int = RESPONSE_EXCERPT_CHARS) -> str:
    try:
        return response.read(limit).decode("utf-8", "replace")[:limit]
    except (OSError, ValueError):
        return ""


def _send(request: urllib.request.Request, *, full_answer: bool = False) -> AttemptResult:
    """One HTTP request. `full_answer`: keep up to 1 MB of a successful answer (to parse it), not an excerpt."""
    try:
        with open_public(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return AttemptResult(status_code=response.status,
                                 response_excerpt=_excerpt(response, 2**20 if full_answer else RESPONSE_EXCERPT_CHARS))
    except urllib.error.HTTPError as exc:
        return AttemptResult(status_code=exc.code, error=f"HTTP {exc.code}", response_excerpt=_excerpt(exc))
    except BlockedAddress as exc:
        # Its host now resolves to an internal address: retrying would only probe it again. Dead at once;
        # "Redeliver" once the subscription's URL or DNS is fixed.
        return AttemptResult(error=str(exc)[:500], final=True)
    except (OSError, ValueError) as exc:
        return AttemptResult(error=f"{exc.__class__.__name__}: {exc}"[:500])


def _post_signed(delivery: WebhookDelivery) -> AttemptResult:
    body = _body(delivery)
    timestamp = int(time.time())
    return _send(urllib.request.Request(delivery.subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Dispatch-Event": delivery.event.name, "X-Dispatch-Delivery": str(delivery.pk),
        "X-Dispatch-Timestamp": str(timestamp),
        "X-Dispatch-Signature": sign(delivery.subscription.secret, timestamp, body),
    }))


def _servicenow_skip(delivery: WebhookDelivery) -> bool:
    """Only incidents that came from ServiceNow can be written back to."""
    ticket = delivery.event.payload.get("ticket")
    return not ticket or ticket.get("source") != SERVICENOW_SOURCE


def _servicenow_request(subscription: WebhookSubscription, method: str, path: str,
                        body: dict | None = None) -> urllib.request.Request:
    credentials = f"{subscription.servicenow_user}:{subscription.servicenow_password}".encode()
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT,
               "Authorization": "Basic " + base64.b64encode(credentials).decode()}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body, separators=(",", ":")).encode()
    return urllib.request.Request(subscription.url.rstrip("/") + path, data=data, method=method, headers=headers)


def _servicenow_write_back(delivery: WebhookDelivery) -> AttemptResult:
    """ServiceNow's stock Table API, no glue on its side: find the incident by number, PATCH a work note and,
    where it moves the incident forward, its state (outbound.payloads.servicenow_update)."""
    subscription, event = delivery.subscription, delivery.event
    number = event.payload["ticket"]["external_id"] or ""
    if not INCIDENT_NUMBER.fullmatch(number):
        # Not a number ServiceNow could have (and "^" would extend the encoded query): no attempt can succeed.
        return AttemptResult(error=f"The ticket's external_id {number!r} is not a ServiceNow incident number.",
                             final=True)
    query = urllib.parse.urlencode({"sysparm_query": f"number={number}", "sysparm_fields": "sys_id,state",
                                    "sysparm_limit": 1})
    found = _send(_servicenow_request(subscription, "GET", f"{INCIDENT_TABLE}?{query}"), full_answer=True)

    def lookup_failed(error: str) -> AttemptResult:
        # The whole answer was kept to be parsed; the attempt log keeps its start, as for any attempt.
        return replace(found, error=error, response_excerpt=found.response_excerpt[:RESPONSE_EXCERPT_CHARS])

    if not found.succeeded:
        return lookup_failed(f"Looking up incident {number}: {found.error}")
    try:
        incidents = json.loads(found.response_excerpt)["result"]
    except (ValueError, KeyError, TypeError):
        return lookup_failed(f"Looking up incident {number}: not a Table API answer")
    if not incidents:
        # Retried: it may be an ACL the ServiceNow admin has yet to grant (unreadable rows are simply absent).
        return lookup_failed(f"No incident {number} in ServiceNow (or {subscription.servicenow_user} may not "
                             f"read it).")
    incident = incidents[0]
    try:
        incident_state = int(incident.get("state") or 0) or None
    except (TypeError, ValueError):
        incident_state = None
    update = servicenow_update(event.name, event.payload, incident_state=incident_state,
                               close_code=subscription.servicenow_close_code)
    result = _send(_servicenow_request(subscription, "PATCH", f"{INCIDENT_TABLE}/{incident['sys_id']}", update))
    return replace(result, error=f"Updating incident {number}: {result.error}") if result.error else result


def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt at one delivery (called by the `webhooks` queue). Returns what happened."""
    delivery = WebhookDelivery.objects.select_related("subscription", "event").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    if _earlier_open(delivery):
        return "waiting"  # woken by the earlier one when it ends (or by the beat safety net)
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
        next_attempt_at__lte=now,
        # As read above: an attempt that ended in between (its retry due at once) would make our counts stale.
        attempts=delivery.attempts, attempts_total=delivery.attempts_total,
    ).update(status=WebhookDelivery.Status.SENDING, updated_at=now)
    if not claimed:
        return "not due"
    servicenow = delivery.subscription.format == WebhookSubscription.Format.SERVICENOW
    if servicenow and _servicenow_skip(delivery):
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery_id).update(status=WebhookDelivery.Status.SKIPPED,
                                                                  updated_at=timezone.now())
            _enqueue(_next_in_line(delivery))
        return "skipped"
    started_at = timezone.now()
    started = time.monotonic()
    result = _servicenow_write_back(delivery) if servicenow else _post_signed(delivery)
    latency = int((time.monotonic() - started) * 1000)
    attempts = delivery.attempts + 1
    number = delivery.attempts_total + 1
    error = result.error[:500]
    fields = {"attempts": attempts, "attempts_total": number, "last_status_code": result.status_code,
              "last_latency_ms": latency, "last_error": error, "updated_at": timezone.now()}
    if result.succeeded:
        fields.update(status=WebhookDelivery.Status.SUCCEEDED, delivered_at=timezone.now())
        outcome = "succeeded"
    elif result.final or attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=WebhookDelivery.Status.DEAD)
        outcome = "dead"
    else:
        wait = backoff_seconds(attempts)
        fields.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=timezone.now() + dt.timedelta(seconds=wait))
        outcome = "retry"
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
        WebhookAttempt.objects.create(
            organization_id=delivery.organization_id, delivery_id=delivery_id, number=number,
            started_at=started_at, status_code=result.status_code, latency_ms=latency, error=error,
            response_excerpt=result.response_excerpt)
        if outcome == "retry":
            _enqueue([delivery_id], countdown=wait)
        else:
            _enqueue(_next_in_line(delivery))  # the ticket's next event may go now
    return outcome


def webhook_deliveries_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Beat safety net: re-enqueue deliveries whose time has come (an ETA can be lost with a killed worker).
    A delivery stuck in "sending" for over 10 minutes (its worker died mid-attempt) is made pending again."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING,
                                   updated_at__lt=now - dt.timedelta(minutes=10)).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
    # Heads of line only: a delivery waiting behind an earlier open one of its ticket is woken by that one when
    # it ends. Counted here, a dead receiver's backlog would fill every batch and starve everyone else's.
    earlier_open = WebhookDelivery.objects.filter(subscription_id=OuterRef("subscription_id"),
                                                  ticket_id_copy=OuterRef("ticket_id_copy"), id__lt=OuterRef("id"),
                                                  status__in=OPEN)
    due = list(WebhookDelivery.objects.filter(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
                                              next_attempt_at__lte=now)
               .filter(~Exists(earlier_open))
               .order_by("id").values_list("id", flat=True)[:limit])
    with transaction.atomic():
        _enqueue(due)
    return len(due)


@transaction.atomic
def webhook_redeliver(*, organization_id: int, delivery_ids: list[int], actor=None) -> int:
    """Admin "Redeliver": the chosen deliveries go out again (in order), whatever became of them.

    They get a fresh set of WEBHOOK_MAX_ATTEMPTS attempts; their attempt log stays and numbers on. Who and when
    is kept on the delivery (a delivery is no ticket change: no TicketEvent)."""
    ids = list(WebhookDelivery.objects.filter(organization_id=organization_id, pk__in=delivery_ids)
               .exclude(status=WebhookDelivery.Status.SENDING).values_list("id", flat=True))
    now = timezone.now()
    WebhookDelivery.objects.filter(pk__in=ids).update(status=WebhookDelivery.Status.PENDING, attempts=0,
                                                      next_attempt_at=now, last_error="", redelivered_at=now,
                                                      redelivered_by=actor, updated_at=now)
    _enqueue(sorted(ids))
    return len(ids)
