"""Demo data: two tenants, real US sites, technicians, stock, SLA policies, 90 days of history, an open queue.

Deterministic for a seed: every choice comes from `random.Random` instances derived from the seed (one per
ticket, so that a ticket's title, site and technician do not depend on how many draws came before it);
only `now` shifts the times. History is written with bulk_create (no signals, no per-row full_clean):
SLA clocks are computed here with the same calendar functions the SLA app uses.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from dispatch_platform.common.calendar import BusinessCalendar, at_risk_moment, compute_due
from dispatch_platform.sites.choices import CLEARANCE_RANK
from dispatch_platform.sites.geo import coordinates_for_zip, timezone_for
from dispatch_platform.sites.models import Customer, Site
from dispatch_platform.sites.selectors import site_calendar
from dispatch_platform.tenancy.models import ApiClient, Membership, Organization, hash_token
from inventory.models import Part, StockLevel, StockLocation
from sla.models import SlaClock, SlaPolicy, SlaTarget
from technicians.models import Certification, Skill, Technician
from tickets.models import Ticket, TicketEvent

from . import data as D

UTC = dt.UTC
DEMO_SLUGS = ("acme", "globex")
PRIMARY_SLUG = "acme"

# SLA targets of the mission (api-contract.md shapes), and penalties.
STANDARD_TARGETS = {
    "P1": ({"kind": "duration", "minutes": 240, "calendar": "24x7"},
           {"kind": "duration", "minutes": 480, "calendar": "24x7"}, "500.00", "100.00"),
    "P2": ({"kind": "duration", "minutes": 480, "calendar": "business_hours"},
           {"kind": "duration", "minutes": 960, "calendar": "business_hours"}, "250.00", "50.00"),
    "P3": ({"kind": "next_business_day"}, {"kind": "business_days", "days": 2}, "100.00", "0.00"),
    "P4": ({"kind": "business_days", "days": 5}, {"kind": "business_days", "days": 5}, "50.00", "0.00"),
}
AT_RISK_PERCENT = 75
PRIORITY_MIX = (("P1", "P2", "P3", "P4"), (5, 20, 50, 25))
JOB_TYPE_MIX = {
    "P1": ((D.BF,), (1,)),
    "P2": ((D.BF,), (1,)),
    "P3": ((D.BF, D.INS, D.MAC), (8, 1, 1)),
    "P4": ((D.PM, D.INS, D.MAC, D.BF), (35, 25, 25, 15)),
}
RESPONSE_BREACH = {"P1": 0.11, "P2": 0.10, "P3": 0.08, "P4": 0.06}
FAR_KM = 25.0
LOCAL_KM = 50.0
REVISIT_RATE = 0.12
CANCEL_RATE = 0.03

# Open queue: (status, priority, age in minutes (min, max) or "at_risk": opened so that the response clock
# is at risk now). Ages make some clocks at risk or breached whatever the day and hour of `now`.
ACME_OPEN = [
    ("new", "P1", (15, 45)), ("new", "P1", "at_risk"), ("new", "P2", (30, 180)), ("new", "P2", (200, 400)),
    ("new", "P3", (20, 300)), ("new", "P3", (300, 900)), ("new", "P3", (3000, 4300)), ("new", "P4", (60, 1400)),
    ("triaged", "P2", "at_risk"), ("triaged", "P2", (600, 1500)), ("triaged", "P3", (120, 900)),
    ("triaged", "P3", (900, 2000)), ("triaged", "P3", (2900, 4300)), ("triaged", "P4", (1400, 4000)),
    ("scheduled", "P2", (120, 400)), ("scheduled", "P3", (200, 1400)), ("scheduled", "P3", (600, 2000)),
    ("scheduled", "P3", (1400, 2800)), ("scheduled", "P4", (600, 2000)), ("scheduled", "P4", (1400, 4000)),
    ("scheduled", "P4", (2800, 5600)),
    ("dispatched", "P1", (45, 110)), ("dispatched", "P2", (60, 300)), ("dispatched", "P2", (300, 700)),
    ("dispatched", "P3", (300, 1400)), ("dispatched", "P3", (1400, 2800)), ("dispatched", "P4", (1400, 5000)),
    ("en_route", "P1", "at_risk"), ("en_route", "P2", (200, 500)), ("en_route", "P3", (600, 2000)),
    ("on_site", "P1", (200, 300)), ("on_site", "P2", (180, 600)), ("on_site", "P3", (600, 1800)),
    ("on_site", "P3", (1400, 3000)),
    ("on_hold", "P2", (1400, 2900)), ("on_hold", "P3", (1400, 4300)), ("on_hold", "P4", (2800, 7000)),
    ("needs_revisit", "P2", (1000, 2000)), ("needs_revisit", "P3", (1400, 4000)),
]
# tech01's day: (status, priority, age, local slot "HH:MM" today)
TECH01_JOBS = [("en_route", "P2", (60, 150), "08:30"), ("dispatched", "P3", (900, 1800), "11:00"),
               ("dispatched", "P4", (1500, 4000), "14:00")]
GLOBEX_OPEN = [("new", "P2", (30, 200)), ("dispatched", "P3", (200, 1400)), ("on_site", "P3", (400, 1400)),
               ("scheduled", "P4", (1400, 4000))]

ACTIVE_ON_SITE = ("on_site", "on_hold", "needs_revisit")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def demo_api_token(slug: str, client_name: str) -> str:
    """The demo API token: derived from SECRET_KEY, so `--if-empty` can print it again (only its hash is stored)."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"demo-api-token:{slug}:{client_name}".encode(), hashlib.sha256).digest()
    prefix = "dp_" + digest[:5].hex()[:9]
    secret = base64.urlsafe_b64encode(hmac.new(key, digest, hashlib.sha256).digest()).decode().rstrip("=")
    return f"{prefix}.{secret}"


@contextmanager
def explicit_timestamps(*models) -> Iterator[None]:
    """Lets bulk_create keep the created_at/updated_at we set (backdated history) instead of 'now'."""
    saved = []
    for model in models:
        for name in ("created_at", "updated_at"):
            f = model._meta.get_field(name)
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@dataclass
class Login:
    username: str
    note: str
    existing: bool = False  # a user of that name existed already: password left as it was


@dataclass
class TenantSummary:
    slug: str
    name: str
    sites: int = 0
    technicians: int = 0
    closed: int = 0
    cancelled: int = 0
    open: int = 0
    events: int = 0
    clocks: Counter = field(default_factory=Counter)


@dataclass
class Summary:
    seed: int
    now: dt.datetime
    tenants: list[TenantSummary]
    logins: list[Login]
    tech_range: tuple[str, str]
    api_client_name: str
    api_token: str | None
    created: bool = True


@dataclass
class SiteInfo:
    obj: Site
    kind: str
    metro: str
    tz: ZoneInfo
    hours: dict
    always_open: bool
    mix: dict
    weight: float
    calendar: BusinessCalendar
    cal247: BusinessCalendar
    targets: dict  # priority -> SlaTarget
    policy: SlaPolicy
    clearance_rank: int
    techs: list = field(default_factory=list)  # TechInfo sorted by distance, with distance

    def intervals(self, weekday: int) -> list[tuple[int, int]]:
        return [(_minutes(a), _minutes(b)) for a, b in self.hours.get(D.WEEKDAYS[weekday], [])]


@dataclass
class TechInfo:
    obj: Technician
    user: object
    metro: str
    skills: list
    certs: dict  # code -> expires_on | None
    clearance_rank: int

    def valid_certs(self, on: dt.date) -> set[str]:
        return {c for c, exp in self.certs.items() if exp is None or exp >= on}


class DemoGenerator:
    def __init__(self, *, seed: int = 1, now: dt.datetime | None = None):
        from django.utils import timezone as djtz

        self.seed = seed
        now = now or djtz.now()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self.today = self.now.date()
        self.rng = random.Random(f"demo:{seed}")
        # Hashed once for every demo user (hashing is slow on purpose); the salt is random, as usual.
        self.password_hash = make_password(D.DEMO_PASSWORD)
        self._names = self._name_pool(80)

    # ------------------------------------------------------------------ entry points
    @staticmethod
    def exists() -> bool:
        return Organization.objects.filter(slug=PRIMARY_SLUG).exists()

    @staticmethod
    def clashes() -> list[str]:
        """Demo tenant slugs already taken (by an earlier, partial or foreign load)."""
        return sorted(Organization.objects.filter(slug__in=DEMO_SLUGS).values_list("slug", flat=True))

    def run(self) -> Summary:
        with transaction.atomic():
            self.logins: list[Login] = []
            tenants = [self._build_tenant(D.ACME, D.ACME_USERS, ACME_OPEN, with_tech01=True),
                       self._build_tenant(D.GLOBEX, D.GLOBEX_USERS, GLOBEX_OPEN, with_tech01=False)]
        name, _ = D.ACME["api_client"]
        return Summary(seed=self.seed, now=self.now, tenants=tenants, logins=self.logins,
                       tech_range=("tech01", f"tech{len(self._acme_techs):02d}"), api_client_name=name,
                       api_token=demo_api_token(PRIMARY_SLUG, name))

    @staticmethod
    def existing_summary() -> Summary:
        """What to print when the demo is already loaded (--if-empty)."""
        org = Organization.objects.get(slug=PRIMARY_SLUG)
        name, _ = D.ACME["api_client"]
        token = demo_api_token(PRIMARY_SLUG, name)
        client = ApiClient.objects.filter(organization=org, name=name).first()
        techs = Technician.objects.for_organization(org).filter(user__isnull=False).count()
        logins = [Login(u[0], u[4]) for u in (*D.ACME_USERS, *D.GLOBEX_USERS)]
        return Summary(seed=-1, now=dt.datetime.now(UTC), tenants=[], logins=logins,
                       tech_range=("tech01", f"tech{techs:02d}"), api_client_name=name,
                       api_token=token if client and client.token_matches(token) else None, created=False)

    # ------------------------------------------------------------------ helpers
    def _name_pool(self, n: int) -> list[tuple[str, str]]:
        pairs = [(f, lname) for f in D.FIRST_NAMES for lname in D.LAST_NAMES]
        return self.rng.sample(pairs, n)

    def _next_name(self) -> tuple[str, str]:
        return self._names.pop(0)

    @staticmethod
    def _phone(area_code: str, rng: random.Random) -> str:
        return f"+1 {area_code}-555-01{rng.randint(0, 99):02d}"

    @staticmethod
    def _place(postal_code: str) -> tuple[float, float, str]:
        coords = coordinates_for_zip(postal_code)
        if coords is None:
            raise RuntimeError(f"ZIP {postal_code} missing from the offline ZIP table")
        return coords[0], coords[1], timezone_for(*coords)

    def _users(self, org: Organization, specs: list[tuple[str, str, str, str, str, bool]]) -> dict:
        """Creates (or reuses) users and their memberships; returns username -> user."""
        User = get_user_model()
        names = [s[0] for s in specs]
        existing = {u.username: u for u in User.objects.filter(username__in=names)}
        new = [
            User(username=u, first_name=first, last_name=last, email=f"{u}@{org.slug}.example",
                 password=self.password_hash, is_staff=staff, is_superuser=staff)
            for u, _role, first, last, _note, staff in specs if u not in existing
        ]
        User.objects.bulk_create(new)
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        Membership.objects.bulk_create(
            [Membership(user=users[u], organization=org, role=role) for u, role, *_ in specs]
        )
        for u, _role, _f, _l, note, _s in specs:
            if note:
                self.logins.append(Login(u, note, existing=u in existing))
        return users

    # ------------------------------------------------------------------ tenant
    def _build_tenant(self, spec: dict, office_users, open_plan, *, with_tech01: bool) -> TenantSummary:
        rng = random.Random(f"demo:{self.seed}:{spec['slug']}")
        org = Organization.objects.create(slug=spec["slug"], name=spec["name"],
                                          default_timezone=spec["default_timezone"])
        summary = TenantSummary(slug=org.slug, name=org.name)
        users = self._users(org, [(u, role, f, lname, note, staff) for u, role, f, lname, note, staff in office_users])
        admin = next(users[u[0]] for u in office_users if u[1] == "admin")
        dispatcher = next((users[u[0]] for u in office_users if u[1] == "dispatcher"), admin)

        client_name, source = spec["api_client"]
        token = demo_api_token(org.slug, client_name)
        client = ApiClient.objects.create(organization=org, name=client_name, token_prefix=token.split(".")[0],
                                          token_hash=hash_token(token))

        customers = {}
        for key, (cname, ext, domain) in spec["customers"].items():
            customers[key] = (Customer.objects.create(organization=org, name=cname, external_id=ext), domain)

        policy, bank_policy = self._policies(org, customers)
        skills = {code: Skill(organization=org, code=code, name=name) for code, name in D.SKILLS}
        Skill.objects.bulk_create(skills.values())
        sites = self._sites(org, spec, customers, policy, bank_policy, rng)
        techs = self._technicians(org, spec, skills, rng, with_tech01=with_tech01)
        self._stock(org, spec, techs, rng)
        for s in sites:
            s.techs = sorted(
                ((haversine_km(s.obj.latitude, s.obj.longitude, t.obj.home_latitude, t.obj.home_longitude), t)
                 for t in techs),
                key=lambda p: (p[0], p[1].obj.external_id),
            )
        summary.sites, summary.technicians = len(sites), len(techs)
        if with_tech01:
            self._acme_techs = techs

        tickets = self._history(org, spec, sites, techs, rng)
        open_recs = self._open_queue(org, sites, techs, open_plan, with_tech01=with_tech01)
        self._write_tickets(org, tickets + open_recs, source, client, dispatcher, summary)
        self._positions(open_recs)
        return summary

    def _positions(self, open_recs) -> None:
        """Last reported positions: at the site for those on site, part-way there for those en route."""
        for rec in open_recs:
            tk = rec["ticket"]
            if tk.status not in ("en_route", "on_site") or tk.technician is None:
                continue
            tech, site = tk.technician, tk.site
            share = 1.0 if tk.status == "on_site" else 0.4
            Technician.objects.filter(pk=tech.pk).update(
                current_latitude=round(tech.home_latitude + (site.latitude - tech.home_latitude) * share, 5),
                current_longitude=round(tech.home_longitude + (site.longitude - tech.home_longitude) * share, 5),
                position_at=self.now - dt.timedelta(minutes=3),
            )

    def _policies(self, org, customers):
        policy = SlaPolicy.objects.create(organization=org, name=f"{org.name.split()[0]} standard")
        rows = [
            SlaTarget(policy=policy, priority=p, response=r, resolution=res, at_risk_percent=AT_RISK_PERCENT,
                      penalty_per_breach=Decimal(pen), penalty_per_hour_late=Decimal(hr))
            for p, (r, res, pen, hr) in STANDARD_TARGETS.items()
        ]
        bank_policy = None
        if "bank" in customers:
            bank = customers["bank"][0]
            bank_policy = SlaPolicy.objects.create(organization=org, name=f"{bank.name} contract", customer=bank)
            for p, (r, res, pen, hr) in STANDARD_TARGETS.items():
                if p == "P1":
                    r, pen, hr = {"kind": "duration", "minutes": 120, "calendar": "24x7"}, "1000.00", "200.00"
                rows.append(SlaTarget(policy=bank_policy, priority=p, response=r, resolution=res,
                                      at_risk_percent=AT_RISK_PERCENT, penalty_per_breach=Decimal(pen),
                                      penalty_per_hour_late=Decimal(hr)))
        SlaTarget.objects.bulk_create(rows)
        return policy, bank_policy

    def _sites(self, org, spec, customers, policy, bank_policy, rng) -> list[SiteInfo]:
        targets = {
            pol.pk: {t.priority: t for t in SlaTarget.objects.filter(policy=pol)}
            for pol in (policy, bank_policy) if pol is not None
        }
        infos, objs = [], []
        closure_done = False
        for n, (ckey, name, street, zipc, metro, kind, crit) in enumerate(spec["sites"], start=1):
            customer, domain = customers[ckey]
            lat, lon, tz = self._place(zipc)
            place = D_zip(zipc)
            hours, clearance, weight, mix, access = D.SITE_KINDS[kind]
            first, last = self._next_name()
            closures = []
            if kind == "office" and ckey == "health" and not closure_done:
                # A planned closure (office move) three weeks ahead: a non-business day for the SLA clocks.
                closures, closure_done = [(self.today + dt.timedelta(days=21)).isoformat()], True
            site = Site(
                organization=org, customer=customer, name=name, external_id=f"{customer.external_id}-{n:03d}",
                address=street, city=place["city"], state=place["state"], postal_code=zipc, country="US",
                latitude=lat, longitude=lon, timezone=tz, region=D.REGIONS[metro], criticality=crit,
                business_hours=hours, holidays={"country": "US", "subdivision": place["state"]},
                closures=closures, contact_name=f"{first} {last}",
                contact_phone=self._phone(place["area_codes"][0], rng),
                contact_email=f"{first[0].lower()}.{last.lower()}@{domain}", access_notes=access,
                clearance_required=clearance,
            )
            objs.append(site)
            pol = bank_policy if (ckey == "bank" and bank_policy) else policy
            infos.append(SiteInfo(
                obj=site, kind=kind, metro=metro, tz=ZoneInfo(tz), hours=hours,
                always_open=hours == D.ALWAYS_OPEN, mix=mix, weight=weight, calendar=None, cal247=None,
                targets=targets[pol.pk], policy=pol, clearance_rank=CLEARANCE_RANK[clearance],
            ))
        Site.objects.bulk_create(objs)
        for info in infos:
            info.calendar = site_calendar(info.obj, org)
            info.cal247 = BusinessCalendar.twenty_four_seven(info.obj.timezone)
        return infos

    def _technicians(self, org, spec, skills, rng, *, with_tech01: bool) -> list[TechInfo]:
        plan = []
        for metro, count in spec["techs_per_metro"]:
            for k in range(count):
                plan.append((metro, k))
        # The first technician of each market holds the clearance its sites ask for.
        needs = {}
        for _c, _n, _a, _z, metro, kind, _crit in spec["sites"]:
            rank = CLEARANCE_RANK[D.SITE_KINDS[kind][1]]
            needs[metro] = max(needs.get(metro, 0), rank)
        by_rank = {v: k for k, v in CLEARANCE_RANK.items()}
        n = len(plan)
        special = rng.sample(range(1, n), min(n - 1, 8)) if n > 4 else []
        shift_of = {}
        for i, idx in enumerate(special):
            shift_of[idx] = (D.SHIFT_EVENING, D.SHIFT_EVENING, D.SHIFT_EVENING, D.SHIFT_WEEKEND,
                             D.SHIFT_WEEKEND, D.SHIFT_WEEKEND, D.SHIFT_NIGHT, D.SHIFT_NIGHT)[i]
        tech_specs, techs = [], []
        for i, (metro, k) in enumerate(plan):
            username = spec["tech_username"].format(i + 1)
            first, last = self._next_name()
            zips = D.HOME_ZIPS[metro]
            lat, lon, _ = self._place(zips[k % len(zips)])
            lat += rng.uniform(-0.01, 0.01)
            lon += rng.uniform(-0.01, 0.01)
            tz = timezone_for(lat, lon)
            if with_tech01 and i == 0:
                profile, clearance = ["desktop", "network", "printers", "pos"], "standard"
            elif k == 0 and metro in ("nyc", "dallas"):
                profile, clearance = ["network", "server", "desktop"], "enhanced"
            else:
                profile = list(rng.choice(D.SKILL_PROFILES))
                r = rng.random()
                clearance = "enhanced" if r < 0.15 else "standard" if r < 0.65 else "none"
            if spec.get("tech_profiles"):
                profile = list(spec["tech_profiles"][i % len(spec["tech_profiles"])])
            if k == 0 and CLEARANCE_RANK[clearance] < needs.get(metro, 0):
                clearance = by_rank[needs[metro]]
            if len(profile) < 4 and rng.random() < 0.3:
                extra = [c for c, _ in D.SKILLS if c not in profile]
                profile.append(rng.choice(extra))
            certs = {}
            if rng.random() < 0.85 or with_tech01 and i == 0:
                certs["comptia-a+"] = None
            if "network" in profile and rng.random() < 0.75 or rng.random() < 0.15:
                certs["comptia-network+"] = None
            if "network" in profile and rng.random() < 0.4:
                certs["ccna"] = None
            for code in certs:
                if rng.random() < 0.15 and not (with_tech01 and i == 0):
                    certs[code] = self.today - dt.timedelta(days=rng.randint(10, 350))  # lapsed this year
                else:
                    certs[code] = self.today + dt.timedelta(days=rng.randint(30, 1000))
            background = (self.today - dt.timedelta(days=rng.randint(30, 900))) if clearance != "none" else (
                (self.today - dt.timedelta(days=rng.randint(200, 1500))) if rng.random() < 0.4 else None)
            tech = Technician(
                organization=org, name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}@{spec['email_domain']}",
                phone=self._phone(D_zip(zips[k % len(zips)])["area_codes"][0], rng),
                external_id=f"EMP-{1000 + i * 7 + rng.randint(0, 6)}",
                home_latitude=round(lat, 5), home_longitude=round(lon, 5), timezone=tz, region=D.REGIONS[metro],
                clearance=clearance, background_check_on=background, shift=shift_of.get(i, D.SHIFT_DAY),
                hourly_cost=Decimal(f"{rng.randint(42, 78)}.{rng.choice(['00', '50'])}"),
                max_jobs_per_day=rng.choice([5, 6, 6, 7, 8]),
            )
            tech_specs.append((username, "technician", first, last, "", False))
            techs.append(TechInfo(obj=tech, user=None, metro=metro, skills=profile, certs=certs,
                                  clearance_rank=CLEARANCE_RANK[clearance]))
        users = self._users(org, tech_specs)
        for (username, *_), t in zip(tech_specs, techs, strict=True):
            t.user = users[username]
            t.obj.user = t.user
        Technician.objects.bulk_create([t.obj for t in techs])
        through = Technician.skills.through
        through.objects.bulk_create(
            [through(technician_id=t.obj.pk, skill_id=skills[c].pk) for t in techs for c in t.skills]
        )
        Certification.objects.bulk_create(
            [Certification(technician=t.obj, code=c, expires_on=exp) for t in techs for c, exp in t.certs.items()]
        )
        return techs

    def _stock(self, org, spec, techs, rng) -> None:
        parts = {sku: Part(organization=org, sku=sku, name=name, unit_cost=Decimal(cost))
                 for sku, name, cost, _ in D.PARTS}
        Part.objects.bulk_create(parts.values())
        locations = []
        for name, zipc in spec["warehouses"]:
            lat, lon, _ = self._place(zipc)
            locations.append((StockLocation(organization=org, name=name, kind="warehouse", latitude=lat,
                                            longitude=lon), "warehouse", None))
        for name, zipc in spec["lockers"]:
            lat, lon, _ = self._place(zipc)
            locations.append((StockLocation(organization=org, name=name, kind="locker", latitude=lat,
                                            longitude=lon), "locker", None))
        for t in techs:
            locations.append((StockLocation(organization=org, name=f"Van - {t.obj.name}", kind="van",
                                            latitude=t.obj.home_latitude, longitude=t.obj.home_longitude,
                                            technician=t.obj), "van", t))
        StockLocation.objects.bulk_create([loc for loc, _, _ in locations])
        levels = []
        for loc, kind, tech in locations:
            if kind == "warehouse":
                levels += [StockLevel(location=loc, part=p, quantity=rng.randint(8, 80)) for p in parts.values()]
            elif kind == "locker":
                for sku in sorted(rng.sample(sorted(parts), 8)):
                    levels.append(StockLevel(location=loc, part=parts[sku], quantity=rng.randint(1, 10)))
            else:
                useful = [sku for sku, _, _, sk in D.PARTS if set(sk) & set(tech.skills)]
                for sku in sorted(rng.sample(useful, min(len(useful), rng.randint(4, 8)))):
                    levels.append(StockLevel(location=loc, part=parts[sku], quantity=rng.randint(0, 4)))
        StockLevel.objects.bulk_create(levels)

    # ------------------------------------------------------------------ tickets: shared
    def _skill_for(self, trng, site: SiteInfo, allowed: set[str] | None = None) -> str:
        """A skill of the site's mix that a technician with the site's clearance has: mostly one living nearby
        (the MSP staffs each market for its sites), now and then one only a distant technician has."""
        reach = LOCAL_KM if trng.random() < 0.96 else 1e9
        coverable = {c for d, t in site.techs if t.clearance_rank >= site.clearance_rank and d <= reach
                     for c in t.skills}
        if not coverable & set(site.mix):
            coverable = {c for _, t in site.techs if t.clearance_rank >= site.clearance_rank for c in t.skills}
        if allowed is not None:
            coverable &= allowed
        codes = [c for c in site.mix if c in coverable] or sorted(coverable)
        weights = [site.mix.get(c, 5) for c in codes]
        return trng.choices(codes, weights)[0]

    @staticmethod
    def _entry_for(trng, skill: str, priority: str):
        types, weights = JOB_TYPE_MIX[priority]
        job_type = trng.choices(types, weights)[0]
        entries = [e for e in D.CATALOG[skill] if e[1] == job_type] or [e for e in D.CATALOG[skill] if e[1] == D.BF]
        return trng.choice(entries)

    @staticmethod
    def _pick_tech(trng, site: SiteInfo, skill: str, certs: list[str], on: dt.date, exclude=frozenset()):
        """A qualified technician near the site (usually the nearest). When no local technician holds the valid
        certificate the job asks for, the ticket does without it (dispatchers relax it) rather than fly someone in."""
        for reach, need in ((LOCAL_KM, certs), (LOCAL_KM, []), (1e9, certs), (1e9, [])):
            cands = [(d, t) for d, t in site.techs
                     if d <= reach and skill in t.skills and t.clearance_rank >= site.clearance_rank
                     and t.obj.pk not in exclude and set(need) <= t.valid_certs(on)]
            if cands:
                top = cands[:3]
                d, t = trng.choices(top, [0.62, 0.26, 0.12][: len(top)])[0]
                return t, d, list(need)
        return None, None, []

    def _clock_times(self, site: SiteInfo, target: dict, opened: dt.datetime, pct: int):
        cal = site.cal247 if target.get("kind") == "duration" and target.get("calendar") == "24x7" else site.calendar
        due = compute_due(target, opened, cal)
        return due, at_risk_moment(opened, due, pct, cal, target)

    def _working(self, site: SiteInfo, t: dt.datetime, slack: int = 60) -> bool:
        if site.always_open:
            return True
        local = t.astimezone(site.tz)
        ivs = site.intervals(local.weekday())
        if not ivs:
            return False
        m = local.hour * 60 + local.minute
        return ivs[0][0] - slack <= m <= ivs[-1][1] + slack

    def _local(self, site: SiteInfo, day: dt.date, minute: float) -> dt.datetime:
        base = dt.datetime.combine(day, dt.time(), tzinfo=site.tz)
        local = base.replace(hour=int(minute // 60) % 24, minute=int(minute % 60), second=int(minute * 60 % 60))
        return local.astimezone(UTC)

    def _pick_opened(self, trng, site: SiteInfo, priority: str, lo_days: float, hi_days: float) -> dt.datetime:
        local_now = self.now.astimezone(site.tz)
        for _ in range(30):
            day = (local_now - dt.timedelta(days=trng.uniform(lo_days, hi_days))).date()
            wd = day.weekday()
            if site.always_open:
                w = 1.0 if wd < 5 else 0.5
            elif site.kind == "store":
                w = 1.0 if wd < 5 else 0.85 if wd == 5 else 0.6
            else:
                w = 1.0 if wd < 5 else 0.06
            if trng.random() > w:
                continue
            ivs = site.intervals(wd) if not site.always_open else [(7 * 60, 20 * 60)]
            in_hours = trng.random() < (0.7 if priority == "P1" else 0.9)
            if ivs and in_hours:
                a, b = trng.choice(ivs)
                minute = trng.uniform(a, max(a + 1, b - 30))
            else:
                minute = trng.uniform(0, 1439)
            return self._local(site, day, minute)
        return self._local(site, (local_now - dt.timedelta(days=lo_days + 1)).date(), 10 * 60)

    def _next_visit(self, trng, site: SiteInfo, after: dt.datetime) -> dt.datetime:
        day = after.astimezone(site.tz).date() + dt.timedelta(days=trng.choice([1, 1, 1, 2, 3]))
        for _ in range(10):
            if site.always_open or site.intervals(day.weekday()):
                break
            day += dt.timedelta(days=1)
        return self._local(site, day, trng.uniform(8 * 60, 15 * 60))

    def _ticket_base(self, trng, org, site: SiteInfo, priority: str, skill: str, entry, opened: dt.datetime):
        title, job_type, _mins, parts, certs, (make, model), desc, diag, _code, _notes = entry
        contact = self._site_person(trng, site)
        return {
            "site": site, "priority": priority, "skill": skill, "entry": entry, "opened_at": opened,
            "ticket": Ticket(
                organization=org, title=title, job_type=job_type, priority=priority, site=site.obj,
                description=f"{desc} Reported by {contact['name']} ({site.obj.name}).",
                required_skills=[skill], required_certifications=list(certs),
                asset={"make": make, "model": model,
                       "serial": f"{make[:2].upper()}{trng.randint(10**7, 10**8 - 1)}"},
                contact=contact, diagnostics=diag, parts=[{"sku": s, "quantity": 1} for s in parts],
                opened_at=opened,
            ),
            "events": [],
            "clocks": [],
        }

    def _site_person(self, trng, site: SiteInfo) -> dict:
        o = site.obj
        if trng.random() < 0.6:
            return {"name": o.contact_name, "phone": o.contact_phone, "email": o.contact_email}
        first = trng.choice(D.FIRST_NAMES)
        last = trng.choice(D.LAST_NAMES)
        domain = o.contact_email.split("@", 1)[1]
        return {"name": f"{first} {last}", "phone": o.contact_phone[:-2] + f"{trng.randint(0, 99):02d}",
                "email": f"{first[0].lower()}.{last.lower()}@{domain}"}

    def _travel_minutes(self, km: float) -> float:
        return km * 1.3 / 45 * 60 + 8

    # ------------------------------------------------------------------ tickets: history
    def _history(self, org, spec, sites, techs, rng) -> list[dict]:
        out = []
        weights = [s.weight for s in sites]
        for i in range(spec["closed_tickets"]):
            trng = random.Random(f"demo:{self.seed}:{org.slug}:closed:{i}")
            site = trng.choices(sites, weights)[0]
            priority = trng.choices(*PRIORITY_MIX)[0]
            skill = self._skill_for(trng, site)
            entry = self._entry_for(trng, skill, priority)
            opened = self._pick_opened(trng, site, priority, 3.0, 90.0)
            rec = self._ticket_base(trng, org, site, priority, skill, entry, opened)
            cancelled = trng.random() < CANCEL_RATE
            if cancelled:
                ok = self._history_cancelled(trng, rec)
            else:
                ok = self._history_closed(trng, rec)
            if ok:
                out.append(rec)
        return out

    def _clocks(self, rec) -> tuple:
        site, t = rec["site"], rec["site"].targets[rec["priority"]]
        resp = self._clock_times(site, t.response, rec["opened_at"], t.at_risk_percent)
        reso = self._clock_times(site, t.resolution, rec["opened_at"], t.at_risk_percent)
        return t, resp, reso

    def _add_clock(self, rec, target, kind, spec, times, state, *, met_at=None, paused_at=None, final=None):
        due, risk = times
        breached_at = due if state == "breached" else None
        stopped = met_at or (final if state in ("cancelled", "paused") else None)
        was_at_risk = state in ("at_risk", "breached") or (stopped is not None and stopped > risk)
        rec["clocks"].append(dict(kind=kind, target=spec, pct=target.at_risk_percent, due=due, risk=risk,
                                  state=state, met_at=met_at, breached_at=breached_at, was_at_risk=was_at_risk,
                                  paused_at=paused_at, final=final or met_at or self.now))

    def _history_closed(self, trng, rec) -> bool:
        site, priority, entry, opened = rec["site"], rec["priority"], rec["entry"], rec["opened_at"]
        tk: Ticket = rec["ticket"]
        target, resp, reso = self._clocks(rec)
        tech, km, certs = self._pick_tech(trng, site, rec["skill"], tk.required_certifications, opened.date())
        if tech is None:
            return False
        tk.required_certifications = certs
        far = km > FAR_KM
        p_breach = RESPONSE_BREACH[priority] + ((0.25 if priority in ("P1", "P2") else 0.08) if far else 0.0)
        window = (resp[0] - opened).total_seconds() / 60
        travel = self._travel_minutes(km)
        emergency = priority == "P1"
        if trng.random() < p_breach:
            late = {"P1": (10, 150), "P2": (20, 300), "P3": (60, 900), "P4": (60, 1440)}[priority]
            on_site = resp[0] + dt.timedelta(minutes=trng.uniform(*late))
            for _ in range(12):
                if emergency or self._working(site, on_site):
                    break
                on_site += dt.timedelta(minutes=trng.uniform(60, 240))
        else:
            lo = min(0.9, max(0.1, (travel + 15) / max(window, 1)))
            on_site = opened + dt.timedelta(minutes=window * 0.5)
            for _ in range(15):
                cand = opened + dt.timedelta(minutes=window * trng.uniform(lo, 0.97))
                if emergency or self._working(site, cand, slack=30):
                    on_site = cand
                    break
        on_site = max(on_site, opened + dt.timedelta(minutes=travel + 10))
        on_site = on_site.replace(second=0)
        mins = trng.randint(*entry[2])
        revisit = trng.random() < REVISIT_RATE
        visits = [(on_site, mins)]
        if revisit:
            v2 = self._next_visit(trng, site, on_site + dt.timedelta(minutes=mins))
            visits.append((v2, trng.randint(30, 90)))
        completed = visits[-1][0] + dt.timedelta(minutes=visits[-1][1])
        closed = completed + dt.timedelta(minutes=trng.uniform(25, 36 * 60))
        if closed > self.now - dt.timedelta(minutes=15):
            return False

        tk.status = "closed"
        tk.technician = tech.obj
        tk.first_on_site_at = on_site
        tk.completed_at = completed
        tk.visits = len(visits)
        tk.first_time_fix = not revisit
        tk.time_on_site_minutes = float(sum(m for _, m in visits))
        code, notes = entry[8], entry[9]
        tk.resolution_code = code
        tk.resolution_notes = (f"Visit 1: {trng.choice(D.REVISIT_REASONS)} Visit 2: {notes}" if revisit else notes)
        # The history's jobs fitted what was requested (parts_used is what the technician records on completion).
        tk.parts_used = [dict(line) for line in tk.parts] if code in ("replaced_part", "installed") else []
        tk.signed_off_by = tk.contact.get("name", "")
        if priority in ("P3", "P4"):
            start = on_site - dt.timedelta(minutes=travel)
            tk.scheduled_start = start.replace(minute=(start.minute // 15) * 15, second=0)

        self._add_clock(rec, target, "response", target.response, resp,
                        "met" if on_site <= resp[0] else "breached", met_at=on_site)
        self._add_clock(rec, target, "resolution", target.resolution, reso,
                        "met" if completed <= reso[0] else "breached", met_at=completed)

        # The audit trail.
        ev = rec["events"]
        triage = opened + dt.timedelta(minutes=trng.uniform(3, 25))
        dispatch_at = min(triage + dt.timedelta(minutes=trng.uniform(2, 40)),
                          opened + (on_site - opened) * 0.5)
        dispatch_at = max(dispatch_at, triage + dt.timedelta(seconds=30))
        ev.append((opened, "created", "itsm", "", "new", "", {}))
        ev.append((triage, "status", "dispatcher", "new", "triaged", "", {}))
        ev.append((dispatch_at, "assigned", "dispatcher", "", "", f"Assigned to {tech.obj.name}",
                   {"technician": tech.obj, "previous": None}))
        ev.append((dispatch_at, "status", "dispatcher", "triaged", "dispatched", "", {}))
        prev = "dispatched"
        for n, (start, m) in enumerate(visits):
            leave = max(start - dt.timedelta(minutes=travel), (ev[-1][0] + dt.timedelta(seconds=30)))
            if leave >= start:
                leave = ev[-1][0] + (start - ev[-1][0]) / 2
            ev.append((leave, "status", "tech", prev, "en_route", "", {}))
            ev.append((start, "status", "tech", "en_route", "on_site", "", {}))
            end = start + dt.timedelta(minutes=m)
            if n < len(visits) - 1:
                reason = tk.resolution_notes.split(" Visit 2:")[0].removeprefix("Visit 1: ")
                ev.append((end, "status", "tech", "on_site", "needs_revisit", reason, {}))
                redispatch = end + dt.timedelta(minutes=trng.uniform(10, 90))
                ev.append((redispatch, "status", "dispatcher", "needs_revisit", "dispatched",
                           "Revisit booked", {}))
                prev = "dispatched"
            else:
                ev.append((end, "status", "tech", "on_site", "completed", notes, {}))
        ev.append((closed, "status", "itsm", "completed", "closed", "Closed in ServiceNow"
                   if rec["ticket"].organization.slug == "acme" else "Closed in Jira", {}))
        rec["final"] = closed
        return True

    def _history_cancelled(self, trng, rec) -> bool:
        tk: Ticket = rec["ticket"]
        opened, site = rec["opened_at"], rec["site"]
        target, resp, reso = self._clocks(rec)
        cancel_at = opened + dt.timedelta(minutes=trng.uniform(20, 20 * 60))
        if cancel_at > self.now - dt.timedelta(minutes=15):
            return False
        ev = rec["events"]
        ev.append((opened, "created", "itsm", "", "new", "", {}))
        triage = opened + dt.timedelta(minutes=trng.uniform(3, 25))
        prev = "new"
        if triage < cancel_at:
            ev.append((triage, "status", "dispatcher", "new", "triaged", "", {}))
            prev = "triaged"
            tech, _km, certs = self._pick_tech(trng, site, rec["skill"], tk.required_certifications, opened.date())
            tk.required_certifications = certs
            assign = triage + dt.timedelta(minutes=trng.uniform(2, 30))
            if tech is not None and assign < cancel_at and trng.random() < 0.5:
                tk.technician = tech.obj
                ev.append((assign, "assigned", "dispatcher", "", "", f"Assigned to {tech.obj.name}",
                           {"technician": tech.obj, "previous": None}))
                ev.append((assign, "status", "dispatcher", "triaged", "dispatched", "", {}))
                prev = "dispatched"
        reason = trng.choice(D.CANCEL_REASONS)
        ev.append((cancel_at, "status", "itsm", prev, "cancelled", reason, {}))
        tk.status = "cancelled"
        tk.resolution_code = "cancelled"
        tk.resolution_notes = reason
        for kind, spec, times in (("response", target.response, resp), ("resolution", target.resolution, reso)):
            state = "cancelled" if cancel_at < times[0] else "breached"
            self._add_clock(rec, target, kind, spec, times, state, final=cancel_at)
        rec["final"] = cancel_at
        return True

    # ------------------------------------------------------------------ tickets: open queue
    def _open_queue(self, org, sites, techs, plan, *, with_tech01: bool) -> list[dict]:
        out, busy = [], set()
        jobs = [(s, p, age, None) for s, p, age in plan]
        if with_tech01:
            jobs = [(s, p, age, slot) for s, p, age, slot in TECH01_JOBS] + jobs
        tech01 = techs[0] if with_tech01 else None
        for i, (status, priority, age, slot) in enumerate(jobs):
            trng = random.Random(f"demo:{self.seed}:{org.slug}:open:{i}")
            if slot is not None:
                near = [s for s in sites if s.clearance_rank <= tech01.clearance_rank
                        and haversine_km(s.obj.latitude, s.obj.longitude, tech01.obj.home_latitude,
                                         tech01.obj.home_longitude) < 60]
                site = near[i % len(near)]
                skill = self._skill_for(trng, site, allowed=set(tech01.skills))
            else:
                site = trng.choices(sites, [s.weight for s in sites])[0]
                skill = self._skill_for(trng, site)
            entry = self._entry_for(trng, skill, priority)
            if age == "at_risk":
                opened = self._opened_at_risk(trng, site, priority)
            else:
                opened = (self.now - dt.timedelta(minutes=trng.uniform(*age))).replace(second=0)
            rec = self._ticket_base(trng, org, site, priority, skill, entry, opened)
            if not self._open_one(trng, rec, status, slot, tech01, busy):
                continue
            out.append(rec)
        return out

    def _opened_at_risk(self, trng, site: SiteInfo, priority: str) -> dt.datetime:
        """The latest opening time (10-minute steps back from now) at which the response clock is at risk now."""
        target = site.targets[priority]
        start = self.now - dt.timedelta(minutes=trng.uniform(0, 10))
        for step in range(0, 7 * 24 * 6):
            opened = (start - dt.timedelta(minutes=10 * step)).replace(second=0)
            if self._live_state(self._clock_times(site, target.response, opened, target.at_risk_percent)) == "at_risk":
                return opened
        return (start - dt.timedelta(minutes=60)).replace(second=0)

    def _open_one(self, trng, rec, status, slot, tech01, busy) -> bool:
        site, tk, opened, now = rec["site"], rec["ticket"], rec["opened_at"], self.now
        target, resp, reso = self._clocks(rec)
        ev = rec["events"]
        ev.append((opened, "created", "itsm", "", "new", "", {}))
        t = opened + dt.timedelta(minutes=min(20, (now - opened).total_seconds() / 60 / 4))
        tk.status = status
        if status == "new":
            pass
        else:
            ev.append((t, "status", "dispatcher", "new", "triaged", "", {}))
        needs_tech = status not in ("new", "triaged")
        tech = None
        if needs_tech:
            if slot is not None:
                tech, km = tech01, haversine_km(site.obj.latitude, site.obj.longitude, tech01.obj.home_latitude,
                                                tech01.obj.home_longitude)
                tk.required_certifications = [c for c in tk.required_certifications
                                              if c in tech01.valid_certs(self.today)]
            else:
                exclude = set(busy) | ({tech01.obj.pk} if tech01 else set())
                tech, km, certs = self._pick_tech(trng, site, rec["skill"], tk.required_certifications,
                                                  self.today, exclude=exclude)
                if tech is None:
                    return False
                tk.required_certifications = certs
            tk.technician = tech.obj
            if status in ("en_route", "on_site"):
                busy.add(tech.obj.pk)
            t_assign = t + dt.timedelta(minutes=min(15, (now - t).total_seconds() / 60 / 4))
            ev.append((t_assign, "assigned", "dispatcher", "", "", f"Assigned to {tech.obj.name}",
                       {"technician": tech.obj, "previous": None}))
            travel = self._travel_minutes(km)
            if status == "scheduled":
                ev.append((t_assign, "status", "dispatcher", "triaged", "scheduled", "", {}))
                day = now.astimezone(site.tz).date() + dt.timedelta(days=trng.choice([1, 1, 2, 3]))
                for _ in range(7):
                    if site.always_open or site.intervals(day.weekday()):
                        break
                    day += dt.timedelta(days=1)
                tk.scheduled_start = self._local(site, day, trng.choice([8 * 60 + 30, 10 * 60, 13 * 60, 15 * 60]))
                tk.eta = tk.scheduled_start
            else:
                ev.append((t_assign, "status", "dispatcher", "triaged", "dispatched", "", {}))
            if slot is not None:
                tech_tz = ZoneInfo(tech.obj.timezone)
                tk.scheduled_start = self._local_tz(tech_tz, now.astimezone(tech_tz).date(), _minutes(slot))
                tk.eta = tk.scheduled_start if status == "dispatched" else None
            elif status == "dispatched":
                tk.scheduled_start = (now + dt.timedelta(minutes=trng.uniform(30, 240))).replace(second=0)
                tk.eta = tk.scheduled_start
            if status == "en_route":
                leave = now - dt.timedelta(minutes=trng.uniform(5, 20))
                leave = max(leave, t_assign + dt.timedelta(minutes=1))
                ev.append((leave, "status", "tech", "dispatched", "en_route", "", {}))
                tk.eta = (now + dt.timedelta(minutes=max(8.0, travel - (now - leave).total_seconds() / 60))
                          ).replace(second=0, microsecond=0)
                tk.scheduled_start = tk.scheduled_start or leave.replace(second=0)
            if status in ACTIVE_ON_SITE:
                span = (now - t_assign).total_seconds() / 60
                if status == "on_site":
                    arrive = now - dt.timedelta(minutes=min(span * 0.5, trng.uniform(15, 70)))
                else:
                    arrive = t_assign + dt.timedelta(minutes=span * trng.uniform(0.2, 0.5))
                arrive = arrive.replace(second=0, microsecond=0)
                leave = max(t_assign + dt.timedelta(minutes=1), arrive - dt.timedelta(minutes=travel))
                if leave >= arrive:
                    leave = t_assign + (arrive - t_assign) / 2
                ev.append((leave, "status", "tech", "dispatched", "en_route", "", {}))
                ev.append((arrive, "status", "tech", "en_route", "on_site", "", {}))
                tk.first_on_site_at = arrive
                tk.visits = 1
                tk.scheduled_start = leave.replace(second=0, microsecond=0)
                if status == "on_site":
                    tk.on_site_since = arrive
                else:
                    end = arrive + dt.timedelta(minutes=min(trng.randint(30, 90), (now - arrive).total_seconds()
                                                            / 60 * 0.5))
                    tk.time_on_site_minutes = round((end - arrive).total_seconds() / 60, 1)
                    if status == "on_hold":
                        reason = trng.choice(D.HOLD_REASONS)
                        ev.append((end, "status", "tech", "on_site", "on_hold", reason, {}))
                        rec["hold_at"] = end
                    else:
                        reason = trng.choice(D.REVISIT_REASONS)
                        ev.append((end, "status", "tech", "on_site", "needs_revisit", reason, {}))
                        tk.first_time_fix = False
        # Clocks as the sweep would have left them by now.
        arrive = tk.first_on_site_at
        if arrive is not None:
            self._add_clock(rec, target, "response", target.response, resp,
                            "met" if arrive <= resp[0] else "breached", met_at=arrive)
        else:
            self._add_clock(rec, target, "response", target.response, resp, self._live_state(resp))
        hold_at = rec.get("hold_at")
        if hold_at is not None and hold_at < reso[0]:
            self._add_clock(rec, target, "resolution", target.resolution, reso, "paused", paused_at=hold_at,
                            final=hold_at)
            if hold_at > reso[1]:
                rec["clocks"][-1]["was_at_risk"] = True
        else:
            self._add_clock(rec, target, "resolution", target.resolution, reso, self._live_state(reso))
        rec["final"] = max(e[0] for e in ev)
        return True

    def _live_state(self, times) -> str:
        due, risk = times
        return "breached" if self.now >= due else "at_risk" if self.now >= risk else "running"

    @staticmethod
    def _local_tz(tz: ZoneInfo, day: dt.date, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)

    # ------------------------------------------------------------------ writing
    def _write_tickets(self, org, recs, source, client, dispatcher, summary: TenantSummary) -> None:
        recs.sort(key=lambda r: (r["opened_at"], r["ticket"].title))
        ext_rng = random.Random(f"demo:{self.seed}:{org.slug}:numbers")
        ext = 10480 if source == "servicenow" else 100
        tickets = []
        for n, rec in enumerate(recs, start=1):
            tk = rec["ticket"]
            tk.source = source
            tk.number = f"WO-{n:06d}"
            ext += ext_rng.randint(1, 9) if source == "servicenow" else 1
            tk.external_id = f"INC{ext:07d}" if source == "servicenow" else f"ITFS-{ext}"
            tk.created_at = rec["opened_at"]
            tk.updated_at = rec["final"].replace(microsecond=0)
            tickets.append(tk)
        with explicit_timestamps(Ticket, TicketEvent, SlaClock):
            Ticket.objects.bulk_create(tickets, batch_size=500)
            Organization.objects.filter(pk=org.pk).update(ticket_sequence=len(tickets))

            tech_users = {}
            events, clocks = [], []
            itsm_label = f"api:{client.name}"
            dispatcher_label = dispatcher.get_full_name() or dispatcher.username
            for rec in recs:
                tk = rec["ticket"]
                if tk.technician_id and tk.technician_id not in tech_users:
                    tech_users[tk.technician_id] = tk.technician.user
                rows = []
                for at, kind, who, frm, to, msg, data in rec["events"]:
                    at = at.replace(microsecond=0)
                    user, cl, label = None, None, "system"
                    if who == "itsm":
                        cl, label = client, itsm_label
                    elif who == "dispatcher":
                        user, label = dispatcher, dispatcher_label
                    elif who == "tech":
                        user, label = tk.technician.user, tk.technician.name
                    if kind == "created":
                        data = {"source": source, "external_id": tk.external_id, "priority": tk.priority}
                    elif kind == "assigned":
                        data = {"technician": data["technician"].pk, "previous": None}
                    rows.append((at, TicketEvent(organization=org, ticket=tk, kind=kind, actor_user=user,
                                                 actor_client=cl, actor_label=label, from_status=frm,
                                                 to_status=to, message=msg, data=data, created_at=at,
                                                 updated_at=at)))
                for c in rec["clocks"]:
                    clock = SlaClock(
                        organization=org, ticket=tk, kind=c["kind"], policy=rec["site"].policy,
                        priority=tk.priority, target=c["target"], at_risk_percent=c["pct"],
                        penalty_per_breach=rec["site"].targets[tk.priority].penalty_per_breach,
                        penalty_per_hour_late=rec["site"].targets[tk.priority].penalty_per_hour_late,
                        started_at=tk.opened_at, due_at=c["due"], at_risk_at=c["risk"], state=c["state"],
                        was_at_risk=c["was_at_risk"], paused_at=c["paused_at"], met_at=c["met_at"],
                        breached_at=c["breached_at"], created_at=tk.opened_at, updated_at=min(c["final"], self.now),
                    )
                    clocks.append(clock)
                    summary.clocks[c["state"]] += 1
                    rows += self._clock_events(org, tk, c)
                rows.sort(key=lambda r: r[0])
                events += [e for _, e in rows]
                if tk.status == "closed":
                    summary.closed += 1
                elif tk.status == "cancelled":
                    summary.cancelled += 1
                else:
                    summary.open += 1
            SlaClock.objects.bulk_create(clocks, batch_size=1000)
            TicketEvent.objects.bulk_create(events, batch_size=1000)
            summary.events = len(events)

    def _clock_events(self, org, tk, c) -> list:
        display = {"response": "Response (on site)", "resolution": "Resolution"}[c["kind"]]
        base = {"clock": c["kind"], "due_at": c["due"].isoformat()}

        def ev(at, label, message, **data):
            at = at.replace(microsecond=0)
            return (at, TicketEvent(organization=org, ticket=tk, kind="sla", actor_label=label, message=message,
                                    data={**base, **data}, created_at=at, updated_at=at))

        out = [ev(tk.opened_at, "system", f"{display} clock started", event="started", target=c["target"])]
        if c["was_at_risk"] and c["risk"] <= self.now and (c["met_at"] is None or c["risk"] < c["met_at"]):
            out.append(ev(c["risk"], "sla-sweep", f"{c['kind'].capitalize()} clock at risk", event="at_risk"))
        if c["state"] == "breached" and c["due"] <= self.now:
            out.append(ev(c["due"], "sla-sweep", f"{c['kind'].capitalize()} clock breached", event="breached"))
        if c["met_at"] is not None:
            what = "met" if c["state"] == "met" else "ended late (breached)"
            out.append(ev(c["met_at"], "system", f"{display} clock {what}", event=what,
                          met_at=c["met_at"].isoformat()))
        if c["state"] == "paused":
            out.append(ev(c["paused_at"], "system", f"{display} clock paused", event="paused"))
        if c["state"] == "cancelled":
            out.append(ev(c["final"], "system", f"{display} clock stopped (ticket cancelled)", event="cancelled"))
        return out


def D_zip(postal_code: str) -> dict:
    import zipcodes

    return zipcodes.matching(postal_code)[0]
