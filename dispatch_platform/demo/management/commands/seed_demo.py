import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from dispatch_platform.demo import data
from dispatch_platform.demo.generator import DemoGenerator, Summary


class Command(BaseCommand):
    help = (
        "Loads demo data: two tenants (Acme Field Services, Globex IT), real US sites, technicians, stock, "
        "SLA policies, 90 days of closed tickets and an open queue. Deterministic for a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (but print the logins) when the demo tenant already exists.")
        parser.add_argument("--now", default=None,
                            help="ISO 8601 moment the data is generated around (default: now; naive = UTC).")

    def handle(self, *args, seed, if_empty, now, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: '{now}' is not an ISO 8601 date/time.")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
        if DemoGenerator.exists():
            if not if_empty:
                raise CommandError(
                    "The demo tenant 'acme' exists already. Use --if-empty to skip, or start from an empty database "
                    "(manage.py flush)."
                )
            self._print(DemoGenerator.existing_summary(), elapsed=None)
            return
        if clashes := DemoGenerator.clashes():
            raise CommandError(f"Organization(s) {', '.join(clashes)} exist already: the demo needs an empty "
                               "database (manage.py flush).")
        started = time.monotonic()
        summary = DemoGenerator(seed=seed, now=moment).run()
        self._print(summary, elapsed=time.monotonic() - started)

    def _print(self, s: Summary, elapsed: float | None) -> None:
        w = self.stdout.write
        if s.created:
            first = s.tenants[0]
            w(f"Demo data loaded (seed {s.seed}): {len(s.tenants)} tenants, {first.sites} sites, "
              f"{first.technicians} technicians, {first.closed + first.cancelled:,} closed "
              f"({first.cancelled} of them cancelled) + {first.open} open tickets in {first.name}"
              + (f" [{elapsed:.1f} s]" if elapsed is not None else "") + ".")
            for t in s.tenants[1:]:
                w(f"  also {t.name}: {t.sites} sites, {t.technicians} technicians, "
                  f"{t.closed + t.cancelled} closed + {t.open} open tickets (a separate tenant).")
        else:
            w("Demo data already loaded: nothing changed.")
        pw = data.DEMO_PASSWORD
        w(f"Every demo user's password is \"{pw}\" (demo data only: never use it on a reachable server).")
        w("Sign in at http://127.0.0.1:8000/ :")
        width = max(len(f"{s.tech_range[0]} .. {s.tech_range[1]}"), *(len(x.username) for x in s.logins))
        for login in s.logins[:3]:
            w(f"  {login.username:<{width}} / {pw}   ({login.note})"
              + ("  [user existed before: password unchanged]" if login.existing else ""))
        techs = f"{s.tech_range[0]} .. {s.tech_range[1]}"
        w(f"  {techs:<{width}} / {pw}   (technicians; tech01 has jobs today)")
        for login in s.logins[3:]:
            w(f"  {login.username:<{width}} / {pw}   ({login.note})"
              + ("  [user existed before: password unchanged]" if login.existing else ""))
        if s.api_token:
            w(f"API token ({s.api_client_name}): {s.api_token}")
        else:
            w(f"API token ({s.api_client_name}): not recoverable; create one with "
              "`manage.py create_api_client acme \"<name>\"`.")
