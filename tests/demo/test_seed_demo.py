"""`manage.py seed_demo`: what a person opening the demo would count on.

The demo is loaded once for the module (it takes seconds); every test reads it, and the one that reloads
it does so inside its own transaction, which is rolled back.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from dispatch_platform.sites.geo import is_timezone, timezone_for
from dispatch_platform.sites.models import Customer, Site
from dispatch_platform.tenancy.models import Membership, Organization
from dispatch_platform.tenancy.selectors import api_client_for_token
from inventory.models import StockLevel, StockLocation
from sla.models import SlaClock, SlaPolicy
from technicians.models import Certification, Technician
from tickets.models import Ticket, TicketEvent

NOW = "2026-03-10T15:00:00+00:00"
SEED = 7
OPEN = ("new", "triaged", "scheduled", "dispatched", "en_route", "on_site", "on_hold", "needs_revisit")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", seed=SEED, now=NOW, stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


def acme():
    return Organization.objects.get(slug="acme")


def fingerprint(org_slug: str = "acme") -> list[tuple]:
    return list(
        Ticket.objects.filter(organization__slug=org_slug)
        .order_by("number")
        .values_list("number", "external_id", "title", "site__name", "priority", "status", "technician__name",
                     "opened_at")
    )


def parse_logins(output: str) -> list[tuple[str, str]]:
    """(username, password) for every login the command printed; "tech01 .. tech40" is expanded."""
    logins = []
    for line in output.splitlines():
        if m := re.match(r"^\s+([a-z]+)(\d+) \.\. [a-z]+(\d+)\s+/ (\S+)", line):
            prefix, first, last, pw = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
            logins += [(f"{prefix}{n:02d}", pw) for n in range(first, last + 1)]
        elif m := re.match(r"^\s+([\w.-]+)\s+/ (\S+)", line):
            logins.append((m.group(1), m.group(2)))
    return logins


@pytest.mark.django_db
def test_acme_has_the_announced_sites_technicians_and_history(seeded):
    org = acme()
    sites = Site.objects.for_organization(org)
    assert sites.count() == 30
    assert Customer.objects.for_organization(org).count() == 3
    zones = set(sites.values_list("timezone", flat=True))
    assert {"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
            "America/Los_Angeles"} <= zones
    assert Technician.objects.for_organization(org).count() == 40
    tickets = Ticket.objects.for_organization(org)
    closed = tickets.filter(status__in=["closed", "cancelled"]).count()
    assert 1900 <= closed <= 2150
    assert tickets.filter(status="cancelled").count() < closed * 0.1
    assert 30 <= tickets.filter(status__in=OPEN).count() <= 50
    assert tickets.filter(status__in=OPEN, priority__in=["P1", "P2"]).count() >= 5
    # Priority mix of the history: ~5 / 20 / 50 / 25 %.
    mix = dict(tickets.values_list("priority").annotate(n=Count("id")))
    assert 0.02 < mix["P1"] / closed < 0.09 and 0.4 < mix["P3"] / closed < 0.6
    # Ticket numbers and ServiceNow ids are unique, numbered in opening order.
    numbers = list(tickets.order_by("opened_at", "number").values_list("number", flat=True))
    assert numbers == sorted(numbers) and numbers[0] == "WO-000001"
    assert org.ticket_sequence == len(numbers)
    assert all(re.fullmatch(r"INC00\d{5}", e) for e in tickets.values_list("external_id", flat=True))


@pytest.mark.django_db
def test_sites_are_real_places_with_their_own_time_zone_and_calendar(seeded):
    for site in Site.objects.for_organization(acme()):
        assert is_timezone(site.timezone)
        assert site.timezone == timezone_for(site.latitude, site.longitude)
        assert re.fullmatch(r"\d{5}", site.postal_code) and site.state and site.city and site.address
        assert site.holidays == {"country": "US", "subdivision": site.state}
        assert site.region in {"northeast", "south", "midwest", "mountain", "west"}
        assert site.contact_name and site.contact_phone and site.access_notes
    hours = [s.business_hours for s in Site.objects.for_organization(acme())]
    always = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert hours.count(always) >= 2
    assert sum(1 for h in hours if h["sat"] == [["09:00", "21:00"]]) >= 5
    assert sum(1 for h in hours if h["mon"] == [["08:00", "18:00"]] and not h["sat"]) >= 15
    bank = Site.objects.for_organization(acme()).filter(customer__name__icontains="bank")
    assert set(bank.values_list("clearance_required", flat=True)) == {"standard", "enhanced"}


@pytest.mark.django_db
def test_technicians_are_staffed_near_sites_with_skills_certificates_and_vans(seeded):
    org = acme()
    today = dt.date.fromisoformat(NOW[:10])
    techs = Technician.objects.for_organization(org).prefetch_related("skills")
    for tech in techs:
        assert 2 <= tech.skills.count() <= 4
        assert tech.timezone == timezone_for(tech.home_latitude, tech.home_longitude)
        assert tech.user is not None
        assert Membership.objects.get(user=tech.user, organization=org).role == "technician"
        assert tech.van.kind == "van"
    certs = Certification.objects.filter(technician__organization=org)
    expired = certs.filter(expires_on__lt=today)
    assert 0.05 < expired.count() / certs.count() < 0.3
    assert expired.filter(expires_on__gte=today - dt.timedelta(days=365)).count() == expired.count()
    assert StockLocation.objects.for_organization(org).filter(kind="warehouse").count() >= 3
    assert StockLocation.objects.for_organization(org).filter(kind="locker").count() >= 2
    assert StockLevel.objects.filter(location__organization=org).count() > 200


@pytest.mark.django_db
def test_no_object_links_two_tenants(seeded):
    assert Organization.objects.filter(slug__in=["acme", "globex"]).count() == 2
    assert not Ticket.objects.exclude(site__organization_id=F("organization_id")).exists()
    assert not Ticket.objects.filter(technician__isnull=False).exclude(
        technician__organization_id=F("organization_id")).exists()
    assert not Site.objects.exclude(customer__organization_id=F("organization_id")).exists()
    assert not SlaClock.objects.exclude(ticket__organization_id=F("organization_id")).exists()
    assert not SlaClock.objects.exclude(policy__organization_id=F("organization_id")).exists()
    assert not SlaPolicy.objects.filter(customer__isnull=False).exclude(
        customer__organization_id=F("organization_id")).exists()
    assert not TicketEvent.objects.exclude(ticket__organization_id=F("organization_id")).exists()
    assert not Technician.objects.exclude(skills__organization_id=F("organization_id")).filter(
        skills__isnull=False).exists()
    assert not StockLocation.objects.filter(technician__isnull=False).exclude(
        technician__organization_id=F("organization_id")).exists()
    assert not StockLevel.objects.exclude(part__organization_id=F("location__organization_id")).exists()
    globex = Organization.objects.get(slug="globex")
    assert Site.objects.for_organization(globex).count() == 3
    assert Technician.objects.for_organization(globex).count() == 3
    assert Ticket.objects.for_organization(globex).exists()
    # Users too: nobody is a member of both.
    both = Membership.objects.values("user").annotate(n=Count("organization")).filter(n__gt=1)
    assert not both.exists()


@pytest.mark.django_db
def test_sla_clocks_follow_the_outcomes(seeded):
    org = acme()
    clocks = SlaClock.objects.for_organization(org)
    tickets = Ticket.objects.for_organization(org)
    assert clocks.count() == 2 * tickets.count()
    breached = clocks.filter(state="breached").count() / clocks.count()
    assert 0.03 <= breached <= 0.20
    closed = clocks.filter(ticket__status="closed")
    assert set(closed.values_list("state", flat=True)) == {"met", "breached"}
    assert not closed.filter(state="met", met_at__gt=F("due_at")).exists()
    assert not closed.filter(state="breached").exclude(breached_at=F("due_at")).exists()
    assert not closed.filter(state="breached").exclude(met_at__gt=F("due_at")).exists()
    # Response breaches of the history: roughly 8-12 %, more for P1/P2 than for P4.
    response = closed.filter(kind="response")
    share = response.filter(state="breached").count() / response.count()
    assert 0.05 <= share <= 0.16
    # The response clock stops at the first on-site moment, resolution at completion.
    assert not closed.filter(kind="response").exclude(met_at=F("ticket__first_on_site_at")).exists()
    assert not closed.filter(kind="resolution").exclude(met_at=F("ticket__completed_at")).exists()
    # Revisits: ~10-15 % of closed tickets were not fixed first time.
    done = tickets.filter(status="closed")
    revisits = done.filter(first_time_fix=False).count() / done.count()
    assert 0.07 <= revisits <= 0.18
    assert not done.filter(first_time_fix=False).exclude(visits=2).exists()
    # The open queue has live clocks, some at risk or breached, and paused ones on hold.
    live = clocks.filter(ticket__status__in=OPEN)
    states = set(live.values_list("state", flat=True))
    assert {"running", "breached"} <= states and states & {"at_risk"}
    assert live.filter(ticket__status="on_hold", kind="resolution", state__in=["paused", "breached"]).count() == 3


@pytest.mark.django_db
def test_every_ticket_has_an_audit_trail(seeded):
    org = acme()
    closed = Ticket.objects.for_organization(org).filter(status="closed")
    sample = closed.order_by("number")[:50]
    for ticket in sample:
        events = list(ticket.events.order_by("created_at", "id"))
        statuses = [(e.from_status, e.to_status) for e in events if e.kind == "status"]
        assert events[0].kind == "created" and events[0].actor_label.startswith("api:")
        assert statuses[-1] == ("completed", "closed")
        assert ("en_route", "on_site") in statuses and ("on_site", "completed") in statuses
        assert any(e.kind == "assigned" for e in events)
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert events[-1].created_at <= dt.datetime.fromisoformat(NOW)
    assert not closed.filter(Q(technician__isnull=True) | Q(first_on_site_at__isnull=True)
                             | Q(completed_at__isnull=True)).exists()


@pytest.mark.django_db
def test_printed_logins_sign_in_and_tech01_has_jobs_today(seeded):
    logins = parse_logins(seeded)
    names = {u for u, _ in logins}
    assert {"admin", "dispatcher", "vp", "tech01", "tech40", "globex-admin"} <= names
    for username, password in logins:
        assert authenticate(username=username, password=password) is not None, username
    assert authenticate(username="tech01", password="wrong") is None
    roles = dict(Membership.objects.filter(organization__slug="acme").values_list("user__username", "role"))
    assert (roles["admin"], roles["dispatcher"], roles["vp"], roles["tech01"]) == (
        "admin", "dispatcher", "viewer", "technician")

    token = re.search(r"API token \(Acme ServiceNow\): (\S+)", seeded).group(1)
    assert api_client_for_token(token).organization.slug == "acme"

    tech01 = Technician.objects.get(user__username="tech01")
    local_today = dt.datetime.fromisoformat(NOW).astimezone(ZoneInfo(tech01.timezone)).date()
    jobs = tech01.tickets.filter(status__in=["dispatched", "en_route"])
    assert 2 <= jobs.count() <= 3
    assert all(j.scheduled_start.astimezone(ZoneInfo(tech01.timezone)).date() == local_today for j in jobs)


@pytest.mark.django_db
def test_if_empty_leaves_a_loaded_demo_alone(seeded):
    before = (Ticket.objects.count(), Site.objects.count(), TicketEvent.objects.count())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert (Ticket.objects.count(), Site.objects.count(), TicketEvent.objects.count()) == before
    assert parse_logins(out.getvalue()) == parse_logins(seeded)
    assert re.search(r"API token \(Acme ServiceNow\): dp_", out.getvalue())
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_same_seed_gives_the_same_demo(seeded):
    # Runs inside the test's transaction: the flush and the reload are rolled back afterwards.
    first = fingerprint("acme"), fingerprint("globex")
    call_command("flush", interactive=False, verbosity=0)
    assert not Ticket.objects.exists()
    call_command("seed_demo", seed=SEED, now=NOW, stdout=StringIO())
    assert (fingerprint("acme"), fingerprint("globex")) == first
