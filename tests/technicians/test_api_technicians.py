import pytest

from technicians.models import Technician

pytestmark = pytest.mark.django_db
URL = "/api/v1/technicians/"


def test_it_creates_a_technician_with_skills_and_certifications(api, tenant_a):
    body = {"name": "Dana Kim", "email": "dana@example.com", "home_latitude": 47.61, "home_longitude": -122.33,
            "skills": ["network", "av"], "certifications": [{"code": "ccna", "expires_on": "2027-05-01"}],
            "clearance": "standard", "shift": {"mon": [["07:00", "15:30"]]}}
    response = api.post(URL, tenant_a, body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["timezone"] == "America/Los_Angeles"
    assert data["skills"] == ["av", "network"]
    assert data["certifications"] == [{"code": "ccna", "expires_on": "2027-05-01"}]


def test_a_malformed_shift_is_400_naming_the_field(api, tenant_a):
    body = {"name": "Dana Kim", "home_latitude": 47.61, "home_longitude": -122.33,
            "shift": {"mon": [["15:00", "07:00"], ["06:00", "08:00"]]}}
    response = api.post(URL, tenant_a, body)
    assert response.status_code == 400
    assert any(k.startswith("shift") for k in response.json()), response.json()
    assert not Technician.objects.filter(name="Dana Kim").exists()
