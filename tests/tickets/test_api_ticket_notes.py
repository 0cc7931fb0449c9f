from tickets.models import TicketEvent

URL = "/api/v1/tickets/"


def create(api, tenant, external_id="N-1"):
    body = {"source": "script", "external_id": external_id, "title": "Badge reader offline", "priority": "P3",
            "site": tenant.site.pk}
    return api.post(URL, tenant, body).json()


def test_it_adds_and_lists_notes(api, tenant_a):
    ticket = create(api, tenant_a)
    response = api.post(f"{URL}{ticket['id']}/notes/", tenant_a, {"text": "  Customer says it beeps twice. "})
    assert response.status_code == 201, response.json()
    assert response.json()["text"] == "Customer says it beeps twice."
    assert response.json()["author"] == "api:ServiceNow"
    listed = api.get(f"{URL}{ticket['id']}/notes/", tenant_a).json()
    assert [n["text"] for n in listed["results"]] == ["Customer says it beeps twice."]
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE).count() == 1


def test_an_empty_note_is_400_naming_text(api, tenant_a):
    ticket = create(api, tenant_a)
    response = api.post(f"{URL}{ticket['id']}/notes/", tenant_a, {"text": "   "})
    assert response.status_code == 400
    assert "text" in response.json()


def test_it_checks_tenant(api, tenant_a, tenant_b):
    ticket = create(api, tenant_a)
    assert api.get(f"{URL}{ticket['id']}/notes/", tenant_b).status_code == 404
    assert api.post(f"{URL}{ticket['id']}/notes/", tenant_b, {"text": "hi"}).status_code == 404
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE).count() == 0


def test_it_requires_role(api, client, tenant_a):
    ticket = create(api, tenant_a)
    client.force_login(tenant_a.viewer)
    url = f"{URL}{ticket['id']}/notes/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "hi"}, content_type="application/json").status_code == 403
