"""CSV onboarding through django-import-export resources: new rows, re-import updates, per-row errors naming
the column, business hours and holidays that decide SLA due times, tenant scoping, export → import round trip."""

import pytest
import tablib

from dispatch_platform.sites.models import Customer, Site
from dispatch_platform.sites.resources import SiteResource
from inventory.models import Part
from inventory.resources import PartResource
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SITES_CSV = """organization,customer,name,external_id,address,city,state,postal_code,region
alpha,Northwind,Denver Cherry Creek,DEN-1,3000 E 1st Ave,Denver,CO,80206,mountain
alpha,Northwind,Phoenix Camelback,PHX-1,2502 E Camelback Rd,Phoenix,AZ,85016,mountain
alpha,Northwind,Nowhere,NOW-1,1 Main St,Nowhere,ZZ,00000,west
"""

HEADER = ("organization,customer,name,external_id,country,postal_code,latitude,longitude,timezone,"
          "business_hours,holidays_country,holidays_subdivision")
LONDON = 'alpha,Contoso UK,London Soho,LON-1,GB,W1D 3QF,51.5136,-0.1365,,"mon-fri 09:00-17:00",GB,ENG'
NOC = "alpha,Northwind,Chicago NOC,NOC-1,US,60601,,,,24x7,US,IL"


def load(resource, text, dry_run=False, **kwargs):
    return resource.import_data(tablib.Dataset().load(text, format="csv"), dry_run=dry_run, **kwargs)


def errors_by_row(result):
    return {row.number: row.field_specific_errors for row in result.invalid_rows}


def open_p2(api, tenant, site, opened_at):
    body = {"source": "t", "external_id": f"p2-{site.external_id}", "title": "Printer down", "priority": "P2",
            "site": site.pk, "opened_at": opened_at}
    response = api.post("/api/v1/tickets/", tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_sites_import_with_coordinates_and_time_zones_from_the_zip(tenant_a):
    result = load(SiteResource(), SITES_CSV, dry_run=True)
    assert result.has_validation_errors() and not result.has_errors()
    assert list(errors_by_row(result)) == [3]
    assert "00000" in errors_by_row(result)[3]["postal_code"][0]
    assert not Site.objects.filter(external_id="DEN-1").exists()  # a preview writes nothing

    ok = "\n".join(SITES_CSV.strip().splitlines()[:3])
    result = load(SiteResource(), ok)
    assert not result.has_errors() and not result.has_validation_errors()
    denver = Site.objects.get(organization=tenant_a.org, external_id="DEN-1")
    assert denver.timezone == "America/Denver"
    assert (round(denver.latitude, 1), round(denver.longitude, 1)) == (39.7, -105.0)
    assert Site.objects.get(external_id="PHX-1").timezone == "America/Phoenix"
    assert denver.customer.name == "Northwind" and denver.customer.organization == tenant_a.org
    assert denver.business_hours is None and denver.holidays is None  # empty cells: tenant default, no holidays

    again = load(SiteResource(), ok.replace("3000 E 1st Ave", "3000 East 1st Avenue"))
    assert Site.objects.filter(organization=tenant_a.org, external_id="DEN-1").count() == 1
    assert Site.objects.get(external_id="DEN-1").address == "3000 East 1st Avenue"
    assert [row.import_type for row in again.rows] == ["update", "skip"]


def test_an_unknown_organization_is_an_error_naming_the_column(db):
    result = load(SiteResource(), SITES_CSV.replace("alpha", "nope"), dry_run=True)
    assert [list(errors) for errors in errors_by_row(result).values()] == [["organization"]] * 3


def test_the_imported_london_site_p2_due_time_skips_the_uk_bank_holiday(api, tenant_a):
    result = load(SiteResource(), f"{HEADER}\n{LONDON}\n{NOC}\n")
    assert not result.has_validation_errors(), errors_by_row(result)
    london = Site.objects.get(organization=tenant_a.org, external_id="LON-1")
    assert london.timezone == "Europe/London"  # from the coordinates, as the API derives it
    assert london.holidays == {"country": "GB", "subdivision": "ENG"}
    assert london.business_hours["mon"] == [["09:00", "17:00"]] and london.business_hours["sat"] == []

    # Friday 28 August 2026, 13:00 in London; Monday 31 August is England's summer bank holiday. 480 business
    # minutes: 4 hours on Friday, none on the holiday, 4 on Tuesday → Tuesday 13:00 BST.
    ticket = open_p2(api, tenant_a, london, "2026-08-28T12:00:00Z")
    assert ticket["sla"]["response"]["due_at"] == "2026-09-01T12:00:00Z"


def test_an_imported_24x7_site_counts_p2_minutes_around_the_clock(api, tenant_a):
    load(SiteResource(), f"{HEADER}\n{NOC}\n")
    noc = Site.objects.get(organization=tenant_a.org, external_id="NOC-1")
    assert (noc.timezone, round(noc.latitude, 2)) == ("America/Chicago", 41.89)  # from the ZIP
    # Saturday 22:00 UTC, a US site: with the default Mon–Fri 08–17 it would be due on Monday afternoon.
    ticket = open_p2(api, tenant_a, noc, "2026-08-29T22:00:00Z")
    assert ticket["sla"]["response"]["due_at"] == "2026-08-30T06:00:00Z"


def test_bad_business_hours_are_a_row_error_naming_the_column_and_write_nothing(tenant_a):
    bad = ('alpha,New Customer Ltd,Bad Hours,BAD-1,US,80206,,,,"mon 18:00-08:00x",,')
    result = load(SiteResource(), f"{HEADER}\n{bad}\n{NOC}\n")
    errors = errors_by_row(result)
    assert list(errors) == [1] and list(errors[1]) == ["business_hours"]
    assert "08:00x" in errors[1]["business_hours"][0]
    assert not Site.objects.filter(external_id="BAD-1").exists()
    assert not Customer.objects.filter(name="New Customer Ltd").exists()  # not even the row's new customer
    assert Site.objects.filter(organization=tenant_a.org, external_id="NOC-1").exists()  # the good row is in


@pytest.mark.parametrize(("hours", "country", "subdivision", "column", "says"), [
    ("mon-fri 09:00-17:00; funday 10:00-12:00", "", "", "business_hours", "funday"),
    ("mon-fri 09:00-13:00, 12:00-17:00", "", "", "business_hours", "overlaps"),
    ("mon 08:00-18:00", "", "", "business_hours", None),  # valid: closes the check below
    ('{"mon": [["08:00"]]}', "", "", "business_hours", "pair"),
    ("", "XX", "", "holidays_country", "XX"),
    ("", "GB", "XYZ", "holidays_subdivision", "XYZ"),
    ("", "", "ENG", "holidays_country", "country"),
])
def test_each_bad_calendar_cell_is_an_error_naming_its_column(tenant_a, hours, country, subdivision, column, says):
    row = f'alpha,Northwind,Somewhere,SOME-1,US,80206,,,,"{hours.replace(chr(34), chr(34) * 2)}",{country},{subdivision}'
    result = load(SiteResource(), f"{HEADER}\n{row}\n", dry_run=True)
    errors = errors_by_row(result)
    if says is None:
        assert not errors
        return
    assert list(errors[1]) == [column]
    assert says in " ".join(errors[1][column])


def test_an_unknown_time_zone_is_a_row_error(tenant_a):
    row = "alpha,Northwind,Somewhere,SOME-1,US,80206,,,Mars/Olympus,,,"
    assert list(errors_by_row(load(SiteResource(), f"{HEADER}\n{row}\n", dry_run=True))[1]) == ["timezone"]


def test_export_then_import_of_the_same_file_changes_nothing(tenant_a):
    night = ('alpha,Northwind,Night Depot,NIGHT-1,US,60601,,,,'
             '"mon-fri 08:00-18:00; sat 09:00-13:00; sun 22:00-06:00",US,IL')
    json_hours = 'alpha,Northwind,Json Site,JSON-1,US,60601,,,,"{""tue"": [[""10:00"", ""14:00""]]}",,'
    load(SiteResource(), f"{HEADER}\n{LONDON}\n{NOC}\n{night}\n{json_hours}\n")
    depot = Site.objects.get(external_id="NIGHT-1")
    assert depot.business_hours["sun"] == [["22:00", "24:00"]] and depot.business_hours["mon"][0] == ["00:00", "06:00"]

    exported = SiteResource().export(queryset=Site.objects.for_organization(tenant_a.org))
    by_id = {row["external_id"]: row for row in exported.dict}
    assert by_id["NOC-1"]["business_hours"] == "24x7"
    assert by_id["LON-1"]["business_hours"] == "mon-fri 09:00-17:00"
    assert (by_id["LON-1"]["holidays_country"], by_id["LON-1"]["holidays_subdivision"]) == ("GB", "ENG")
    assert by_id["NIGHT-1"]["business_hours"] == (
        "mon 00:00-06:00, 08:00-18:00; tue-fri 08:00-18:00; sat 09:00-13:00; sun 22:00-24:00")
    before = {s.pk: s.updated_at for s in Site.objects.all()}

    result = SiteResource().import_data(exported)
    assert not result.has_validation_errors(), errors_by_row(result)
    assert {row.import_type for row in result.rows} == {"skip"}
    assert {s.pk: s.updated_at for s in Site.objects.all()} == before


def test_a_row_names_a_customer_of_its_own_organization_only(tenant_a, tenant_b):
    row = f"alpha,{tenant_b.customer.name},Somewhere,SOME-1,US,80206,,,,,,"
    load(SiteResource(), f"{HEADER}\n{row}\n")
    site = Site.objects.get(external_id="SOME-1")
    assert site.customer.organization == tenant_a.org and site.customer != tenant_b.customer


def test_a_tenant_admin_imports_into_their_own_organization_only(tenant_a, tenant_b):
    admin = MembershipFactory(organization=tenant_a.org, role="admin").user
    beta_row = NOC.replace("alpha", "beta")
    result = load(SiteResource(), f"{HEADER}\n{NOC}\n{beta_row}\n", user=admin)
    assert errors_by_row(result) == {2: {"organization": ["You are not an admin of 'beta'."]}}
    assert not Site.objects.filter(organization=tenant_b.org, external_id="NOC-1").exists()
    assert Site.objects.filter(organization=tenant_a.org, external_id="NOC-1").exists()


def test_parts_import(tenant_a):
    result = load(PartResource(), "organization,sku,name,unit_cost\nalpha,SSD-512,512 GB SSD,59.00\n")
    assert not result.has_errors() and not result.has_validation_errors()
    assert Part.objects.get(organization=tenant_a.org, sku="SSD-512").name == "512 GB SSD"


def test_the_admin_import_preview_shows_the_bad_cell_and_writes_nothing(admin_client, tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert admin_client.get("/admin/sites/site/import/").status_code == 200
    bad = 'alpha,Northwind,Bad Hours,BAD-1,US,80206,,,,"mon 18:00-08:00x",,'
    upload = SimpleUploadedFile("sites.csv", f"{HEADER}\n{bad}\n{NOC}\n".encode(), content_type="text/csv")
    response = admin_client.post("/admin/sites/site/import/",
                                 {"resource": 0, "format": 0, "import_file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Some rows failed to validate" in page and "business_hours" in page and "08:00x" in page
    assert not Site.objects.filter(external_id__in=["BAD-1", "NOC-1"]).exists()

    upload = SimpleUploadedFile("sites.csv", f"{HEADER}\n{LONDON}\n{NOC}\n".encode(), content_type="text/csv")
    preview = admin_client.post("/admin/sites/site/import/", {"resource": 0, "format": 0, "import_file": upload})
    assert "mon-fri 09:00-17:00" in preview.content.decode() and not Site.objects.filter(external_id="LON-1").exists()
    confirmed = admin_client.post("/admin/sites/site/process_import/", preview.context["confirm_form"].initial)
    assert confirmed.status_code == 302
    assert Site.objects.get(organization=tenant_a.org, external_id="LON-1").holidays == {"country": "GB", "subdivision": "ENG"}


def test_the_sample_files_in_deploy_onboarding_import_cleanly(db):
    from pathlib import Path

    from dispatch_platform.tenancy.services import organization_create
    from inventory.models import StockLevel, StockLocation
    from inventory.resources import StockLevelResource
    from technicians.resources import TechnicianResource

    acme = organization_create(slug="acme", name="Acme")
    StockLocation.objects.create(organization=acme, name="Denver warehouse", kind="warehouse",
                                 latitude=39.75, longitude=-104.99)
    samples = Path(__file__).resolve().parents[2] / "deploy" / "onboarding"
    for resource, name in ((SiteResource(), "sites"), (TechnicianResource(), "technicians"), (PartResource(), "parts"),
                           (StockLevelResource(), "stock")):
        result = load(resource, (samples / f"{name}.csv").read_text())
        assert not result.has_errors() and not result.has_validation_errors(), (name, errors_by_row(result))
    assert Site.objects.get(organization=acme, external_id="LON-1").timezone == "Europe/London"
    assert StockLevel.objects.filter(location__organization=acme).count() == 4
