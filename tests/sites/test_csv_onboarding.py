"""CSV onboarding through django-import-export resources: new rows, re-import updates, per-row errors."""

import pytest
import tablib

from dispatch_platform.sites.models import Site
from dispatch_platform.sites.resources import SiteResource
from inventory.models import Part
from inventory.resources import PartResource
from technicians.models import Technician
from technicians.resources import TechnicianResource

pytestmark = pytest.mark.django_db

SITES_CSV = """organization,customer,name,external_id,address,city,state,postal_code,region
alpha,Northwind,Denver Cherry Creek,DEN-1,3000 E 1st Ave,Denver,CO,80206,mountain
alpha,Northwind,Phoenix Camelback,PHX-1,2502 E Camelback Rd,Phoenix,AZ,85016,mountain
alpha,Northwind,Nowhere,NOW-1,1 Main St,Nowhere,ZZ,00000,west
"""


def load(resource, text, dry_run=False):
    return resource.import_data(tablib.Dataset().load(text, format="csv"), dry_run=dry_run)


def test_sites_import_with_coordinates_and_time_zones_from_the_zip(tenant_a):
    result = load(SiteResource(), SITES_CSV, dry_run=True)
    assert result.has_errors()
    assert [r for r, _ in enumerate(result.rows) if result.rows[r].errors] == [2]
    assert "00000" in str(result.rows[2].errors[0].error)
    assert not Site.objects.filter(external_id="DEN-1").exists()  # a preview writes nothing

    ok = "\n".join(SITES_CSV.strip().splitlines()[:3])
    result = load(SiteResource(), ok)
    assert not result.has_errors()
    denver = Site.objects.get(organization=tenant_a.org, external_id="DEN-1")
    assert denver.timezone == "America/Denver"
    assert Site.objects.get(external_id="PHX-1").timezone == "America/Phoenix"
    assert denver.customer.name == "Northwind" and denver.customer.organization == tenant_a.org

    again = load(SiteResource(), ok.replace("3000 E 1st Ave", "3000 East 1st Avenue"))
    assert Site.objects.filter(organization=tenant_a.org, external_id="DEN-1").count() == 1
    assert Site.objects.get(external_id="DEN-1").address == "3000 East 1st Avenue"
    assert not again.has_errors()


def test_an_unknown_organization_is_a_row_error(db):
    result = load(SiteResource(), SITES_CSV.replace("alpha", "nope"), dry_run=True)
    assert all(row.errors for row in result.rows)


def test_technicians_import_with_skills_of_their_organization(tenant_a, tenant_b):
    csv = """organization,name,email,external_id,home_latitude,home_longitude,region,clearance,skills,max_jobs_per_day,hourly_cost
alpha,Dana Kim,dana@example.com,T-100,47.61,-122.33,west,standard,"network, av",6,65
beta,Lee Park,lee@example.com,T-100,40.71,-74.0,northeast,none,desktop,8,55
"""
    result = load(TechnicianResource(), csv)
    assert not result.has_errors(), [r.errors for r in result.rows]
    dana = Technician.objects.get(organization=tenant_a.org, external_id="T-100")
    assert dana.timezone == "America/Los_Angeles"
    assert sorted(s.code for s in dana.skills.all()) == ["av", "network"]
    assert all(s.organization_id == tenant_a.org.pk for s in dana.skills.all())
    assert Technician.objects.get(organization=tenant_b.org, external_id="T-100").name == "Lee Park"


def test_parts_import(tenant_a):
    result = load(PartResource(), "organization,sku,name,unit_cost\nalpha,SSD-512,512 GB SSD,59.00\n")
    assert not result.has_errors()
    assert Part.objects.get(organization=tenant_a.org, sku="SSD-512").name == "512 GB SSD"


def test_the_admin_offers_the_import_page(admin_client, db):
    assert admin_client.get("/admin/sites/site/import/").status_code == 200
