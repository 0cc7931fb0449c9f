"""Queries of one ticket POST (new ticket) and one re-POST (update), on the database in DATABASE_URL."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_platform.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dispatch_platform.sites.models import Site  # noqa: E402
from dispatch_platform.tenancy.models import Organization  # noqa: E402
from dispatch_platform.tenancy.services import api_client_create  # noqa: E402

org = Organization.objects.get(slug="load")
_, token = api_client_create(organization=org, name=f"probe-{os.getpid()}", rate_limit="1000000/min")
site = Site.objects.for_organization(org).first()
client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
counts = []
for parts in (0, 1, 20):
    body = {"source": "probe", "external_id": f"Q{os.getpid()}-{parts}", "title": "x", "priority": "P3", "site": site.pk,
            "parts": [{"sku": f"SKU{i}", "quantity": 1} for i in range(parts)]}
    with CaptureQueriesContext(connection) as new:
        assert client.post("/api/v1/tickets/", body, content_type="application/json").status_code == 201
    with CaptureQueriesContext(connection) as again:
        assert client.post("/api/v1/tickets/", {**body, "title": "y"}, content_type="application/json").status_code == 200
    counts.append(f"{parts} parts: new {len(new)}, update {len(again)}")
print("; ".join(counts))
