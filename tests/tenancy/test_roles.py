import pytest

pytestmark = pytest.mark.django_db


def test_a_viewer_cannot_open_the_dispatcher_queue(client, tenant_a):
    client.force_login(tenant_a.viewer)
    assert client.get("/queue/").status_code == 403


def test_a_technician_cannot_open_the_reports(client, tenant_a):
    client.force_login(tenant_a.tech_user)
    assert client.get("/reports/").status_code == 403


def test_a_technician_cannot_use_the_api(client, tenant_a):
    client.force_login(tenant_a.tech_user)
    assert client.get("/api/v1/tickets/").status_code == 403


def test_pages_require_sign_in(client, db):
    response = client.get("/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_attr,target", [("dispatcher", "/queue/"), ("viewer", "/reports/"), ("tech_user", "/my/jobs/")])
def test_home_sends_each_role_to_its_page(client, tenant_a, role_attr, target):
    client.force_login(getattr(tenant_a, role_attr))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target
