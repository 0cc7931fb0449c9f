"""CSV onboarding of stock on hand: per warehouse or per technician's van, in the row's organization only,
with per-row errors naming the column, the stock ledger kept, and an export → import round trip."""

import pytest
import tablib

from inventory.models import Part, StockLevel, StockLocation, StockMovement
from inventory.resources import StockLevelResource

pytestmark = pytest.mark.django_db

HEADER = "organization,sku,location,technician_email,quantity"


@pytest.fixture
def stockroom(tenant_a, tenant_b):
    ssd = Part.objects.create(organization=tenant_a.org, sku="SSD-512", name="512 GB SSD")
    Part.objects.create(organization=tenant_b.org, sku="PSU-650", name="650 W PSU")
    depot = StockLocation.objects.create(organization=tenant_a.org, name="Chicago depot", kind="warehouse",
                                         latitude=41.88, longitude=-87.63)
    StockLocation.objects.create(organization=tenant_b.org, name="Newark depot", kind="warehouse",
                                 latitude=40.73, longitude=-74.17)
    return ssd, depot


def load(text, dry_run=False):
    return StockLevelResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=dry_run)


def errors_by_row(result):
    return {row.number: row.field_specific_errors for row in result.invalid_rows}


def test_stock_loads_into_a_warehouse_and_a_technicians_van(tenant_a, stockroom):
    ssd, depot = stockroom
    email = tenant_a.technician.email.upper()  # as typed in a spreadsheet
    result = load(f"{HEADER}\nalpha,SSD-512,Chicago depot,,10\nalpha,SSD-512,,{email},2\n")
    assert not result.has_validation_errors(), errors_by_row(result)
    assert StockLevel.objects.get(location=depot, part=ssd).quantity == 10
    van = StockLocation.objects.get(technician=tenant_a.technician)
    assert (van.kind, van.organization, van.name) == ("van", tenant_a.org, f"Van - {tenant_a.technician.name}")
    assert StockLevel.objects.get(location=van, part=ssd).quantity == 2
    assert sorted(StockMovement.objects.values_list("to_location__name", "quantity", "reason")) == [
        ("Chicago depot", 10, "CSV import"), (van.name, 2, "CSV import")]

    # A recount: the level is set, the ledger records the difference.
    load(f"{HEADER}\nalpha,SSD-512,Chicago depot,,7\n")
    assert StockLevel.objects.get(location=depot, part=ssd).quantity == 7
    assert StockMovement.objects.filter(from_location=depot, quantity=3).exists()


@pytest.mark.parametrize(("row", "column", "says"), [
    ("alpha,NOPE-1,Chicago depot,,1", "sku", "NOPE-1"),
    ("alpha,PSU-650,Chicago depot,,1", "sku", "PSU-650"),  # another tenant's part
    ("alpha,SSD-512,Newark depot,,1", "location", "Newark depot"),  # another tenant's location
    ("alpha,SSD-512,,{beta_email},1", "technician_email", "No technician"),  # another tenant's technician
    ("alpha,SSD-512,,,1", "location", "technician_email"),
    ("alpha,SSD-512,Chicago depot,,-2", "quantity", "0 or more"),
    ("alpha,SSD-512,Chicago depot,,lots", "quantity", "whole number"),
    ("alpha,SSD-512,Chicago depot,,2.5", "quantity", "whole number"),
])
def test_a_bad_row_names_its_column_and_writes_nothing(tenant_a, tenant_b, stockroom, row, column, says):
    row = row.format(beta_email=tenant_b.technician.email)
    result = load(f"{HEADER}\n{row}\nalpha,SSD-512,,{tenant_a.technician.email},1\n")
    errors = errors_by_row(result)
    assert list(errors) == [1] and list(errors[1]) == [column], errors
    assert says in " ".join(errors[1][column])
    assert not StockLevel.objects.filter(location__name__in=["Chicago depot", "Newark depot"]).exists()
    assert not StockLocation.objects.filter(technician=tenant_b.technician).exists()
    assert StockLevel.objects.filter(location__technician=tenant_a.technician).exists()  # the good row


def test_the_preview_writes_nothing_not_even_the_van(tenant_a, stockroom):
    result = load(f"{HEADER}\nalpha,SSD-512,,{tenant_a.technician.email},2\n", dry_run=True)
    assert [row.import_type for row in result.rows] == ["new"]
    assert not StockLocation.objects.filter(technician=tenant_a.technician).exists()
    assert not StockMovement.objects.exists()


def test_export_then_import_changes_nothing(tenant_a, stockroom):
    load(f"{HEADER}\nalpha,SSD-512,Chicago depot,,10\nalpha,SSD-512,,{tenant_a.technician.email},2\n")
    exported = StockLevelResource().export(queryset=StockLevel.objects.filter(location__organization=tenant_a.org))
    assert sorted(tuple(row.values()) for row in exported.dict) == sorted([
        ("alpha", "SSD-512", "Chicago depot", "", "10"),
        ("alpha", "SSD-512", f"Van - {tenant_a.technician.name}", tenant_a.technician.email, "2")])
    movements = StockMovement.objects.count()

    result = StockLevelResource().import_data(exported)
    assert {row.import_type for row in result.rows} == {"skip"}, errors_by_row(result)
    assert StockMovement.objects.count() == movements


def test_the_admin_offers_the_stock_import_page(admin_client, db):
    assert admin_client.get("/admin/inventory/stocklevel/import/").status_code == 200
