"""CSV onboarding of technicians: skills, shift and certifications as the API validates them; per-row errors
naming the column; tenant scoping; export → import round trip."""

import pytest
import tablib

from technicians.models import Skill, Technician
from technicians.resources import TechnicianResource

pytestmark = pytest.mark.django_db

HEADER = ("organization,name,email,external_id,home_latitude,home_longitude,timezone,region,skills,certifications,"
          "shift,max_jobs_per_day")
DANA = ('alpha,Dana Kim,dana@example.com,T-100,47.61,-122.33,,west,"network, av",'
        '"comptia-a+:2027-05-01; ccna:2020-01-31; itil","mon-fri 07:00-15:30; sat 22:00-06:00",6')
LEE = "beta,Lee Park,lee@example.com,T-100,40.71,-74.0,,northeast,desktop,,24x7,8"


def load(text, dry_run=False, **kwargs):
    return TechnicianResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=dry_run, **kwargs)


def errors_by_row(result):
    return {row.number: row.field_specific_errors for row in result.invalid_rows}


def test_technicians_import_with_skills_shift_and_certifications_as_the_api_shows_them(api, tenant_a, tenant_b):
    result = load(f"{HEADER}\n{DANA}\n{LEE}\n")
    assert not result.has_errors() and not result.has_validation_errors(), errors_by_row(result)
    dana = Technician.objects.get(organization=tenant_a.org, external_id="T-100")
    assert dana.timezone == "America/Los_Angeles"  # from the home coordinates
    assert all(s.organization_id == tenant_a.org.pk for s in dana.skills.all())
    assert Technician.objects.get(organization=tenant_b.org, external_id="T-100").name == "Lee Park"

    shown = api.get(f"/api/v1/technicians/{dana.pk}/", tenant_a).json()
    assert shown["skills"] == ["av", "network"]
    # The expired one is kept (it just does not qualify); a code without a date does not expire.
    assert sorted((c["code"], c["expires_on"]) for c in shown["certifications"]) == [
        ("ccna", "2020-01-31"), ("comptia-a+", "2027-05-01"), ("itil", None)]
    assert shown["shift"]["mon"] == [["07:00", "15:30"]]
    assert shown["shift"]["sat"] == [["22:00", "24:00"]] and shown["shift"]["sun"] == [["00:00", "06:00"]]


@pytest.mark.parametrize(("cells", "column", "says"), [
    ({"certifications": "ccna:2026-13-45"}, "certifications", "ccna"),
    ({"certifications": "ccna:2026-12-31; ccna:2027-12-31"}, "certifications", "more than once"),
    ({"shift": "mon 18:00-08:00x"}, "shift", "08:00x"),
    ({"shift": "mon-fri 15:00-07:00"}, "shift", "12 hours"),
    ({"skills": "network, fibre splicing"}, "skills", "fibre splicing: Enter a valid"),
    ({"timezone": "Europe/Atlantis"}, "timezone", "Atlantis"),
    ({"home_latitude": "147.6"}, "home_latitude", "90"),
    ({"max_jobs_per_day": "six"}, "max_jobs_per_day", "six"),
])
def test_a_bad_cell_is_a_row_error_naming_its_column_and_writes_nothing(tenant_a, cells, column, says):
    columns = HEADER.split(",")
    values = {"organization": "alpha", "name": "Sam Roe", "email": "sam@example.com", "external_id": "T-200",
              "home_latitude": "47.61", "home_longitude": "-122.33", "skills": "brand-new-skill", **cells}
    row = ",".join(f'"{values.get(c, "")}"' for c in columns)
    result = load(f"{HEADER}\n{row}\n{DANA}\n")
    errors = errors_by_row(result)
    assert list(errors) == [1] and list(errors[1]) == [column], errors
    assert says in " ".join(errors[1][column])
    assert not Technician.objects.filter(external_id="T-200").exists()
    assert not Skill.objects.filter(code="brand-new-skill").exists()  # the failed row's new skill neither
    assert Technician.objects.filter(organization=tenant_a.org, external_id="T-100").exists()


def test_export_then_import_changes_nothing_and_a_new_certification_date_is_an_update(tenant_a):
    load(f"{HEADER}\n{DANA}\n")
    exported = TechnicianResource().export(queryset=Technician.objects.for_organization(tenant_a.org))
    dana = next(row for row in exported.dict if row["external_id"] == "T-100")
    assert dana["certifications"] == "ccna:2020-01-31; comptia-a+:2027-05-01; itil"
    assert dana["shift"] == "mon-fri 07:00-15:30; sat 22:00-24:00; sun 00:00-06:00"

    result = TechnicianResource().import_data(exported)
    assert not result.has_validation_errors(), errors_by_row(result)
    assert {row.import_type for row in result.rows} == {"skip"}
    assert len(result.rows) == 2  # the fixture's technician has no external_id: found by email

    result = load(f"{HEADER}\n{DANA.replace('ccna:2020-01-31', 'ccna:2028-01-31')}\n")
    assert [row.import_type for row in result.rows] == ["update"]
    technician = Technician.objects.get(organization=tenant_a.org, external_id="T-100")
    assert technician.certifications.get(code="ccna").expires_on.isoformat() == "2028-01-31"
