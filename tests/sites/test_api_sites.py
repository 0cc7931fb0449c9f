import pytest

from dispatch_platform.sites.models import Site

pytestmark = pytest.mark.django_db
URL = "/api/v1/sites/"


def body(tenant, **over):
    return {"customer": tenant.customer.pk, "name": "Denver store 12", "external_id": "DEN-12",
            "address": "1701 Wynkoop St", "city": "Denver", "state": "CO", "postal_code": "80202", **over}


def test_it_fills_coordinates_from_the_zip_and_the_time_zone_from_them(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a))
    assert response.status_code == 201, response.json()
    site = response.json()
    assert site["timezone"] == "America/Denver"
    assert 39.5 < site["latitude"] < 40.0 and -105.2 < site["longitude"] < -104.8
    assert site["country"] == "US"


def test_a_wrapping_night_interval_is_stored_as_its_two_halves(api, tenant_a):
    hours = {"mon": [["22:00", "06:00"]]}
    response = api.post(URL, tenant_a, body(tenant_a, business_hours=hours))
    assert response.status_code == 201, response.json()
    stored = response.json()["business_hours"]
    assert stored["mon"] == [["22:00", "24:00"]]
    assert stored["tue"] == [["00:00", "06:00"]]


@pytest.mark.parametrize("hours,field", [
    ({"mon": [["08:00", "12:00"], ["11:00", "18:00"]]}, "business_hours.mon"),
    ({"mon": [["09:00", "09:00"]]}, "business_hours.mon"),
    ({"mon": [["8am", "5pm"]]}, "business_hours.mon"),
    ({"funday": [["08:00", "17:00"]]}, "business_hours"),
])
def test_malformed_business_hours_are_400_naming_the_field(api, tenant_a, hours, field):
    response = api.post(URL, tenant_a, body(tenant_a, business_hours=hours))
    assert response.status_code == 400
    assert any(key.startswith(field) for key in response.json()), response.json()
    assert Site.objects.filter(organization=tenant_a.org, external_id="DEN-12").count() == 0


def test_an_unknown_time_zone_is_400(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a, timezone="Mars/Olympus_Mons"))
    assert response.status_code == 400
    assert "timezone" in response.json()


def test_an_unknown_holiday_country_is_400(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a, holidays={"country": "XX"}))
    assert response.status_code == 400
    assert any(k.startswith("holidays") for k in response.json())


def test_no_location_at_all_is_400_naming_the_fields(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a, postal_code=""))
    assert response.status_code == 400
    assert {"latitude", "longitude"} <= set(response.json())


def test_an_unknown_zip_is_400(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a, postal_code="00000"))
    assert response.status_code == 400
    assert "postal_code" in response.json()


def test_a_customer_of_another_tenant_is_refused(api, tenant_a, tenant_b):
    response = api.post(URL, tenant_a, body(tenant_a, customer=tenant_b.customer.pk))
    assert response.status_code == 400
    assert "customer" in response.json()


def test_a_malformed_closure_date_is_400(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a, closures=["next tuesday"]))
    assert response.status_code == 400
    assert any(k.startswith("closures") for k in response.json()), response.json()
