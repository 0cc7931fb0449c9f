"""Writes of the SLA app: starting, pausing, resuming, meeting and sweeping clocks.

Every clock change is recorded as a TicketEvent (kind "sla") on its ticket.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dispatch_platform.common.bulk import objects_insert, remember_related
from dispatch_platform.common.calendar import (
    BusinessCalendar,
    at_risk_moment,
    calendar_for_target,
    compute_due,
)
from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.sites.selectors import site_calendar
from dispatch_platform.tenancy.models import Membership
from tickets.choices import TicketStatus
from tickets.models import Ticket, TicketEvent
from tickets.services import (
    SYSTEM,
    Actor,
    ticket_event_record,
    ticket_events_record_many,
    tickets_touch_unlocked,
)

from . import signals
from .models import EscalationRule, Notification, SlaClock, SlaPolicy, SlaTarget
from .selectors import sla_required_targets, sla_targets_for

logger = logging.getLogger(__name__)

LIVE = (SlaClock.State.RUNNING, SlaClock.State.AT_RISK)


def _target_for(ticket: Ticket) -> SlaTarget | None:
    """The ticket's target (with its policy) under the policy in force now."""
    if ticket.sla_policy_id is not None:
        return _required_target(ticket, None)
    return sla_targets_for(organization=ticket.organization, customer_id=ticket.site.customer_id,
                           region=ticket.site.region).get(ticket.priority)


def _required_target(ticket: Ticket, config_token: str | None) -> SlaTarget:
    """The target of the policy the ticket's intake named: it overrides "most specific wins". A policy that
    cannot time the ticket is the intake's error (400), never a ticket silently without clocks."""
    targets = sla_required_targets(organization=ticket.organization, policy_id=ticket.sla_policy_id,
                                   config_token=config_token)
    if targets is None:
        raise ApplicationError("SLA policy not active", {
            "sla_policy": [f"SLA policy {ticket.sla_policy_id} is not active (or has no targets)."]})
    target = targets.get(ticket.priority)
    if target is None:
        name = next(iter(targets.values())).policy.name
        raise ApplicationError("SLA policy has no target for the priority", {
            "sla_policy": [f"The SLA policy '{name}' has no target for {ticket.priority}."],
            "priority": [f"{name} times {', '.join(sorted(targets))}."]})
    return target


def _timing(clock: SlaClock, site_cal: BusinessCalendar, opened_at: dt.datetime) -> None:
    cal = calendar_for_target(clock.target, site_cal)
    due = compute_due(clock.target, opened_at, cal)
    if clock.paused_minutes:
        due = cal.add_business_minutes(due, clock.paused_minutes)
    clock.due_at = due
    clock.at_risk_at = at_risk_moment(opened_at, due, clock.at_risk_percent, cal, clock.target)


def _schedule_timers(clocks: list[SlaClock]) -> None:
    """ETA tasks at the clocks' at-risk and due moments: faster than the beat sweep, which stays the
    safety net (an ETA held by a worker is lost if it is killed; PLATFORM-NOTES). Clocks falling due in
    the same minute share one task, so a bulk intake sends a handful of messages, not thousands; moments
    beyond SLA_TIMER_HORIZON_SECONDS are left to the sweep."""
    from . import tasks

    by_minute: dict[dt.datetime, list[int]] = {}
    horizon = timezone.now() + dt.timedelta(seconds=settings.SLA_TIMER_HORIZON_SECONDS)
    for clock in clocks:
        # Further ahead, the minute sweep is early enough, and a Redis broker would re-deliver an ETA task
        # held longer than its visibility timeout.
        for moment in (m for m in (clock.at_risk_at, clock.due_at) if m <= horizon):
            # Rounded up: the task must not run before the moment, or it would find nothing to do.
            minute = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
            by_minute.setdefault(minute, []).append(clock.pk)
    transaction.on_commit(
        lambda: [tasks.sla_clock_timer.apply_async(args=[ids], eta=m) for m, ids in sorted(by_minute.items())]
    )


def _announce(clock_ids: list[int], event: str) -> None:
    transaction.on_commit(lambda: signals.sla_clock_changed.send(sender=SlaClock, clock_ids=clock_ids, event=event))


def _record(clock: SlaClock, what: str, actor: Actor = SYSTEM, at: dt.datetime | None = None, **data) -> None:
    _announce([clock.pk], what.split(" ")[0])
    ticket_event_record(
        ticket=clock.ticket, kind=TicketEvent.Kind.SLA, actor=actor, at=at,
        message=f"{clock.get_kind_display()} clock {what}",
        data={"clock": clock.kind, "event": what, "due_at": clock.due_at.isoformat(), **data},
    )


@transaction.atomic
def sla_clocks_start(*, ticket: Ticket, actor: Actor = SYSTEM) -> list[SlaClock]:
    """Starts the response and resolution clocks under the policy in force now (kept for the clock's life)."""
    return sla_clocks_start_many(tickets=[ticket], actor=actor)


# No savepoint of its own: it runs inside the change it records, and fails with it.
@transaction.atomic(savepoint=False)
def sla_clocks_start_many(*, tickets: list[Ticket], actor: Actor = SYSTEM, record: bool = True,
                          config_token: str | None = None) -> list[SlaClock]:
    """The same for many new tickets in a few statements (bulk intake): policies, targets and calendars
    are looked up once per (customer, region) and site; clocks and their events are inserted in bulk.
    With record=False the caller records `started_events(clocks)` itself (with events of its own).
    `config_token`: the tickets' organization's, read under its row lock (tickets_opened passes it)."""
    targets: dict[tuple, dict] = {}
    calendars: dict[int, BusinessCalendar] = {}
    # A bulk intake's tickets share their opening moment: the same site, target and moment give the same
    # due and at-risk times, computed once.
    timings: dict[tuple, tuple[dt.datetime, dt.datetime]] = {}
    clocks: list[SlaClock] = []
    for ticket in tickets:
        if ticket.sla_policy_id is not None:
            target = _required_target(ticket, config_token)
        else:
            key = (ticket.organization_id, ticket.site.customer_id, ticket.site.region)
            if key not in targets:
                targets[key] = sla_targets_for(organization=ticket.organization, customer_id=ticket.site.customer_id,
                                               region=ticket.site.region, config_token=config_token)
            target = targets[key].get(ticket.priority)
        if target is None:
            logger.info("No SLA policy/target for ticket %s (%s): no clocks", ticket.number, ticket.priority)
            continue
        if ticket.site_id not in calendars:
            calendars[ticket.site_id] = site_calendar(ticket.site, ticket.organization)
        for kind, spec in ((SlaClock.Kind.RESPONSE, target.response), (SlaClock.Kind.RESOLUTION, target.resolution)):
            clock = SlaClock(
                organization_id=ticket.organization_id, ticket=ticket, kind=kind, policy=target.policy,
                priority=ticket.priority, target=spec, at_risk_percent=target.at_risk_percent,
                penalty_per_breach=target.penalty_per_breach, penalty_per_hour_late=target.penalty_per_hour_late,
                started_at=ticket.opened_at,
            )
            moment = (ticket.site_id, target.pk, kind, ticket.opened_at)
            if moment not in timings:
                _timing(clock, calendars[ticket.site_id], ticket.opened_at)
                timings[moment] = (clock.due_at, clock.at_risk_at)
            clock.due_at, clock.at_risk_at = timings[moment]
            clocks.append(clock)
    if not clocks:
        return []
    objects_insert(clocks, key=["ticket_id", "kind"])
    by_ticket: dict[int, list[SlaClock]] = {}
    for clock in clocks:
        by_ticket.setdefault(clock.ticket_id, []).append(clock)
    for ticket in tickets:  # an intake answers with the new clocks: no need to read them back
        remember_related(ticket, "sla_clocks", by_ticket.get(ticket.pk, []))
    _schedule_timers(clocks)
    _announce([c.pk for c in clocks], "started")
    if record:
        ticket_events_record_many(actor=actor, events=started_events(clocks))
    return clocks


def started_events(clocks: list[SlaClock]) -> list[tuple]:
    """The audit events of newly started clocks, as `ticket_events_record_many` takes them."""
    return [(c.ticket, TicketEvent.Kind.SLA, "", f"{c.get_kind_display()} clock started",
             {"clock": c.kind, "event": "started", "due_at": c.due_at.isoformat(), "policy": c.policy.name,
              "target": c.target})
            for c in clocks]


@transaction.atomic
def sla_clocks_retime(*, ticket: Ticket, actor: Actor = SYSTEM) -> list[SlaClock]:
    """A priority (or site, opening time, required policy) change: due times re-computed from opened_at under
    the new target."""
    clocks = list(SlaClock.objects.select_for_update().filter(ticket=ticket))
    if not clocks:
        return sla_clocks_start(ticket=ticket, actor=actor)
    target = _target_for(ticket)
    if target is None:
        return clocks
    site_cal = site_calendar(ticket.site, ticket.organization)
    now = timezone.now()
    for clock in clocks:
        if clock.state in (SlaClock.State.MET, SlaClock.State.CANCELLED):
            continue
        clock.target = target.response if clock.kind == SlaClock.Kind.RESPONSE else target.resolution
        clock.priority, clock.policy, clock.at_risk_percent = ticket.priority, target.policy, target.at_risk_percent
        clock.penalty_per_breach = target.penalty_per_breach
        clock.penalty_per_hour_late = target.penalty_per_hour_late
        _timing(clock, site_cal, ticket.opened_at)
        if clock.state == SlaClock.State.BREACHED and clock.due_at > now:
            # The new target is looser: the breach no longer stands.
            clock.state, clock.breached_at = SlaClock.State.RUNNING, None
        clock.save()
        _schedule_timers([clock])
        _record(clock, f"re-timed for {ticket.priority} under {target.policy.name}", actor)
    return clocks


def _remaining(cal: BusinessCalendar, start: dt.datetime, moment: dt.datetime) -> float:
    return cal.business_minutes_between(start, moment) if moment > start else 0.0


@transaction.atomic
def sla_on_status_change(*, ticket: Ticket, old_status: str, new_status: str, at: dt.datetime,
                         actor: Actor = SYSTEM) -> None:
    """Meets, pauses, resumes or stops the ticket's clocks as its status changes."""
    clocks = {c.kind: c for c in SlaClock.objects.select_for_update().filter(ticket=ticket)}
    if not clocks:
        return
    response, resolution = clocks.get(SlaClock.Kind.RESPONSE), clocks.get(SlaClock.Kind.RESOLUTION)
    site_cal = site_calendar(ticket.site, ticket.organization)

    if new_status == TicketStatus.ON_SITE and response and response.met_at is None:
        _meet(response, at, actor)
    if new_status == TicketStatus.COMPLETED and resolution and resolution.met_at is None:
        _meet(resolution, at, actor)
    if new_status == TicketStatus.ON_HOLD and resolution and resolution.state in LIVE:
        resolution.paused_at = at
        resolution.state = SlaClock.State.PAUSED
        resolution.save()
        _record(resolution, "paused", actor)
    if old_status == TicketStatus.ON_HOLD and resolution and resolution.state == SlaClock.State.PAUSED:
        _resume(resolution, since=resolution.paused_at, at=at, site_cal=site_cal, actor=actor, what="resumed")
    if old_status == TicketStatus.COMPLETED and new_status == TicketStatus.NEEDS_REVISIT and resolution:
        # Re-opened: the fix did not hold, so the resolution clock runs again from where it stopped.
        if resolution.state == SlaClock.State.MET:
            _resume(resolution, since=resolution.met_at, at=at, site_cal=site_cal, actor=actor, what="re-opened")
    if new_status == TicketStatus.CANCELLED:
        for clock in clocks.values():
            if clock.state in (*LIVE, SlaClock.State.PAUSED):
                clock.state = SlaClock.State.CANCELLED
                clock.save()
                _record(clock, "stopped (ticket cancelled)", actor)


def _meet(clock: SlaClock, at: dt.datetime, actor: Actor) -> None:
    clock.met_at = at
    if clock.state != SlaClock.State.BREACHED:
        clock.state = SlaClock.State.MET if at <= clock.due_at else SlaClock.State.BREACHED
        if clock.state == SlaClock.State.BREACHED:
            clock.breached_at = clock.due_at
    clock.save()
    _record(clock, "met" if clock.state == SlaClock.State.MET else "ended late (breached)", actor,
            met_at=at.isoformat())


def _resume(clock: SlaClock, *, since: dt.datetime, at: dt.datetime, site_cal: BusinessCalendar, actor: Actor,
            what: str) -> None:
    cal = calendar_for_target(clock.target, site_cal)
    left_to_due = _remaining(cal, since, clock.due_at)
    left_to_risk = _remaining(cal, since, clock.at_risk_at)
    clock.paused_minutes += cal.business_minutes_between(since, at) if at > since else 0.0
    clock.due_at = cal.add_business_minutes(at, left_to_due) if left_to_due else min(clock.due_at, at)
    clock.at_risk_at = cal.add_business_minutes(at, left_to_risk) if left_to_risk else min(clock.at_risk_at, at)
    clock.paused_at = None
    clock.met_at = None
    if clock.state != SlaClock.State.BREACHED or clock.breached_at is None:
        clock.state = SlaClock.State.AT_RISK if clock.was_at_risk else SlaClock.State.RUNNING
    clock.save()
    _schedule_timers([clock])
    _record(clock, what, actor)


def sla_sweep(*, now: dt.datetime | None = None, batch_size: int = 2000,
              clock_ids: list[int] | None = None) -> dict[str, int]:
    """Marks live clocks at risk and breached as time passes; each change happens and is recorded once.

    Steps, per batch and per kind of change:
    1. lock a batch of clocks due for the change (SKIP LOCKED on PostgreSQL: concurrent sweeps and timer
       tasks take disjoint rows; on SQLite the IMMEDIATE transaction serialises them),
    2. mark their tickets changed (`updated_at`, one UPDATE: an ITSM syncing by `updated_since` sees the
       breach), skipping tickets another transaction holds: their clocks wait for the next pass,
    3. update exactly the clocks of the tickets marked with one conditional UPDATE (state still the old one),
    4. bulk-insert one TicketEvent per changed clock.
    """
    now = now or timezone.now()
    counts = {"at_risk": 0, "breached": 0}
    skipped: set[int] = set()  # clocks of busy tickets: not picked again in this pass
    while _sweep_batch(now, SlaClock.State.BREACHED, batch_size, counts, clock_ids, skipped):
        pass
    while _sweep_batch(now, SlaClock.State.AT_RISK, batch_size, counts, clock_ids, skipped):
        pass
    return counts


def _sweep_batch(now: dt.datetime, to_state: str, batch_size: int, counts: dict[str, int],
                 clock_ids: list[int] | None, skipped: set[int]) -> bool:
    with transaction.atomic():
        if to_state == SlaClock.State.BREACHED:
            due = SlaClock.objects.filter(state__in=LIVE, due_at__lte=now)
        else:
            due = SlaClock.objects.filter(state=SlaClock.State.RUNNING, at_risk_at__lte=now, due_at__gt=now)
        if clock_ids is not None:
            due = due.filter(id__in=clock_ids)
        if skipped:
            due = due.exclude(id__in=skipped)
        picked = list(
            due.select_for_update(skip_locked=True)
            .order_by("due_at")
            .values("id", "organization_id", "ticket_id", "kind", "due_at")[:batch_size]
        )
        if not picked:
            return False
        # A transition holds its ticket's row while it waits for the clocks we hold: never wait for a ticket.
        touched = tickets_touch_unlocked(ticket_ids=[r["ticket_id"] for r in picked])
        rows = [r for r in picked if r["ticket_id"] in touched]
        skipped.update(r["id"] for r in picked if r["ticket_id"] not in touched)
        ids = [r["id"] for r in rows]
        fields = {"state": to_state, "updated_at": now}
        if to_state == SlaClock.State.BREACHED:
            fields["breached_at"] = F("due_at")  # the breach happened at the due moment
            SlaClock.objects.filter(id__in=ids, state__in=LIVE).update(**fields)
        else:
            fields["was_at_risk"] = True
            SlaClock.objects.filter(id__in=ids, state=SlaClock.State.RUNNING).update(**fields)
        label = "breached" if to_state == SlaClock.State.BREACHED else "at risk"
        TicketEvent.objects.bulk_create(
            TicketEvent(
                organization_id=r["organization_id"], ticket_id=r["ticket_id"], kind=TicketEvent.Kind.SLA,
                actor_label="sla-sweep", message=f"{r['kind'].capitalize()} clock {label}",
                data={"clock": r["kind"], "event": to_state, "due_at": r["due_at"].isoformat()},
            )
            for r in rows
        )
        if ids:
            _announce(ids, to_state)
        counts[to_state] += len(rows)
        return len(picked) == batch_size


@transaction.atomic
def sla_policy_save(*, organization, data: dict, policy: SlaPolicy | None = None) -> SlaPolicy:
    """Creates or replaces a policy and its targets. Running clocks keep the target they started with."""
    targets = data.pop("targets", None)
    policy = policy or SlaPolicy(organization=organization)
    for field, value in data.items():
        setattr(policy, field, value)
    if policy.region == "":
        policy.region = None
    policy.full_clean()
    policy.save()
    if targets is not None:
        policy.targets.all().delete()
        for target in targets:
            row = SlaTarget(policy=policy, **target)
            row.full_clean()
            row.save()
    return policy


def _recipients(organization_id: int, rules: list[EscalationRule]) -> set[int]:
    roles = {role for rule in rules for role in rule.notify_roles}
    users = set(
        Membership.objects.filter(organization_id=organization_id, role__in=roles).values_list("user_id", flat=True)
    )
    for rule in rules:
        if rule.pk:  # the built-in default rule is not saved and names no users
            users.update(u.pk for u in rule.notify_users.all())
    return users


# Without rules of its own, a tenant's dispatchers and admins hear of every at-risk and breached clock.
DEFAULT_RULE = EscalationRule(notify_roles=["dispatcher", "admin"], emails=[])


@transaction.atomic
def sla_escalate(*, clock_ids: list[int], event: str) -> int:
    """Tells the people the tenant's escalation rules name: in-app notifications and e-mail.

    Returns the number of notifications written.
    """
    clocks = list(SlaClock.objects.filter(id__in=clock_ids).select_related("ticket", "ticket__site", "organization"))
    written = 0
    for clock in clocks:
        rules = [
            r for r in EscalationRule.objects.for_organization(clock.organization_id)
            .filter(active=True, event=event).prefetch_related("notify_users")
            if r.priority in ("", clock.priority)
        ] or [DEFAULT_RULE]
        ticket = clock.ticket
        verb = "breached" if event == "breached" else "is at risk"
        message = (f"{ticket.number} {clock.priority} {clock.get_kind_display().lower()} SLA {verb} "
                   f"(due {clock.due_at:%Y-%m-%d %H:%M} UTC) — {ticket.site.name}")[:300]
        users = _recipients(clock.organization_id, rules)
        Notification.objects.bulk_create(
            Notification(organization_id=clock.organization_id, user_id=u, ticket=ticket, kind=f"sla.{event}",
                         message=message)
            for u in sorted(users)
        )
        written += len(users)
        emails = sorted({e for r in rules for e in r.emails}
                        | (set(clock.organization.escalation_emails) if event == "breached" else set()))
        if emails:
            send_mail(subject=message[:120], message=f"{message}\n\n{ticket.title}", from_email=None,
                      recipient_list=emails, fail_silently=False)
    return written


@transaction.atomic
def notifications_mark_read(*, organization, user, notification_ids: list[int] | None = None) -> int:
    qs = Notification.objects.for_organization(organization).filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(id__in=notification_ids)
    return qs.update(read_at=timezone.now())
