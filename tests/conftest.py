import os

# Playwright's sync API runs an event loop in the test thread; the ORM is used beside it in e2e tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # Unit tests run Celery tasks in-process; the integration pass starts real workers (tests/integration)
    # and sends its tasks with send_task, which never runs eagerly.
    from dispatch_platform.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True

    from django.conf import settings

    # Hashing demo passwords at full strength would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The webhook tests' receivers listen on 127.0.0.1; the SSRF tests switch this off again.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True


import pytest  # noqa: E402

STANDARD_TARGETS = [
    {"priority": "P1", "response": {"kind": "duration", "minutes": 240, "calendar": "24x7"},
     "resolution": {"kind": "duration", "minutes": 480, "calendar": "24x7"}, "at_risk_percent": 75},
    {"priority": "P2", "response": {"kind": "duration", "minutes": 480, "calendar": "business_hours"},
     "resolution": {"kind": "duration", "minutes": 960, "calendar": "business_hours"}, "at_risk_percent": 75},
    {"priority": "P3", "response": {"kind": "next_business_day"},
     "resolution": {"kind": "business_days", "days": 2}, "at_risk_percent": 75},
    {"priority": "P4", "response": {"kind": "business_days", "days": 5},
     "resolution": {"kind": "business_days", "days": 5}, "at_risk_percent": 75},
]


class Tenant:
    """One organization with its people, an API token, a site, a technician and a standard SLA policy."""

    def __init__(self, slug: str):
        from dispatch_platform.tenancy.services import api_client_create, organization_create
        from sla.services import sla_policy_save
        from tests.factories import MembershipFactory, SiteFactory, TechnicianFactory, UserFactory

        self.org = organization_create(slug=slug, name=f"{slug.title()} Org")
        self.dispatcher = MembershipFactory(organization=self.org, role="dispatcher").user
        self.viewer = MembershipFactory(organization=self.org, role="viewer").user
        self.tech_user = UserFactory()
        MembershipFactory(organization=self.org, user=self.tech_user, role="technician")
        self.client_obj, self.token = api_client_create(organization=self.org, name="ServiceNow")
        self.site = SiteFactory(organization=self.org)
        self.customer = self.site.customer
        self.technician = TechnicianFactory(organization=self.org, user=self.tech_user, skills=["network", "desktop"],
                                            certifications={"comptia-a+": "2099-01-01"})
        self.policy = sla_policy_save(organization=self.org, data={"name": "Standard", "targets": [dict(t) for t in STANDARD_TARGETS]})

    def auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


@pytest.fixture
def tenant_a(db):
    return Tenant("alpha")


@pytest.fixture
def tenant_b(db):
    return Tenant("beta")


@pytest.fixture
def api(client):
    """A Django test client speaking JSON."""

    class Api:
        def get(self, url, tenant, **extra):
            return client.get(url, **tenant.auth(), **extra)

        def post(self, url, tenant, data=None, **extra):
            return client.post(url, data=data or {}, content_type="application/json", **tenant.auth(), **extra)

        def put(self, url, tenant, data=None, **extra):
            return client.put(url, data=data or {}, content_type="application/json", **tenant.auth(), **extra)

        def patch(self, url, tenant, data=None, **extra):
            return client.patch(url, data=data or {}, content_type="application/json", **tenant.auth(), **extra)

    return Api()


@pytest.fixture
def as_application_role(db):
    """Superusers bypass RLS: act as an ordinary role, as the application does in production."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("Row-level security needs PostgreSQL (run through .ci/run)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'dispatch_rls_probe'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE ROLE dispatch_rls_probe NOSUPERUSER NOLOGIN")
        cursor.execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO dispatch_rls_probe")
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO dispatch_rls_probe")
        cursor.execute("SET ROLE dispatch_rls_probe")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
