"""What the technician did, recorded on completion: resolution code and notes, parts used (taken out of the van)."""

import pytest

from inventory.models import Part, StockLevel, StockLocation, StockMovement
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


@pytest.fixture
def van(tenant_a):
    """The technician's van holding 2 SFPs and 1 PSU; a cable is in the catalogue but not in the van."""
    parts = {sku: Part.objects.create(organization=tenant_a.org, sku=sku, name=sku)
             for sku in ("SFP-10G-SR", "PSU-750", "CBL-CAT6-3M")}
    location = StockLocation.objects.create(organization=tenant_a.org, name="Van", kind="van", latitude=0,
                                            longitude=0, technician=tenant_a.technician)
    StockLevel.objects.create(location=location, part=parts["SFP-10G-SR"], quantity=2)
    StockLevel.objects.create(location=location, part=parts["PSU-750"], quantity=1)
    return location


def stock(location) -> dict[str, int]:
    return {level.part.sku: level.quantity for level in location.levels.select_related("part")}


def on_site_ticket(api, tenant, external_id="INC1"):
    body = {"source": "servicenow", "external_id": external_id, "title": "Switch down", "priority": "P2",
            "site": tenant.site.pk, "required_skills": ["network"], "parts": [{"sku": "SFP-10G-SR", "quantity": 2}]}
    tid = api.post(URL, tenant, body).json()["id"]
    assert api.post(f"{URL}{tid}/assign/", tenant, {"technician": tenant.technician.pk}).status_code == 200
    for status in ("en_route", "on_site"):
        assert api.post(f"{URL}{tid}/transition/", tenant, {"status": status}).status_code == 200
    return tid


def transition(api, tenant, tid, **body):
    return api.post(f"{URL}{tid}/transition/", tenant, body)


def test_completing_records_the_work_and_takes_the_parts_out_of_the_van(api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    response = transition(api, tenant_a, tid, status="completed", note="Done", resolution_code="replaced_part",
                          resolution_notes="Swapped the SFP; link up at 10G",
                          parts_used=[{"sku": "SFP-10G-SR", "quantity": 1}, {"sku": "PSU-750"}])
    assert response.status_code == 200, response.json()
    body = api.get(f"{URL}{tid}/", tenant_a).json()
    assert body["status"] == "completed"
    assert body["resolution_code"] == "replaced_part"
    assert body["resolution_notes"] == "Swapped the SFP; link up at 10G"
    assert body["parts_used"] == [{"sku": "SFP-10G-SR", "quantity": 1}, {"sku": "PSU-750", "quantity": 1}]
    assert body["parts"] == [{"sku": "SFP-10G-SR", "quantity": 2}]  # the request stays as it was
    assert stock(van) == {"SFP-10G-SR": 1, "PSU-750": 0}
    moved = StockMovement.objects.filter(ticket_id=tid, from_location=van, to_location=None)
    assert sorted(moved.values_list("part__sku", "quantity")) == [("PSU-750", 1), ("SFP-10G-SR", 1)]
    event = TicketEvent.objects.filter(ticket_id=tid, to_status="completed").get()
    assert event.data["changes"]["resolution_code"] == ["", "replaced_part"]
    assert event.data["changes"]["parts_used"][0] == []
    assert event.data["van_shortfall"] == []


def test_an_unknown_sku_is_400_naming_parts_used_and_changes_nothing(api, tenant_a, tenant_b, van):
    Part.objects.create(organization=tenant_b.org, sku="B-ONLY", name="Another tenant's part")
    tid = on_site_ticket(api, tenant_a)
    events = TicketEvent.objects.filter(ticket_id=tid).count()
    for sku in ("NO-SUCH-SKU", "B-ONLY"):
        response = transition(api, tenant_a, tid, status="completed", resolution_code="replaced_part",
                              parts_used=[{"sku": "SFP-10G-SR", "quantity": 1}, {"sku": sku, "quantity": 1}])
        assert response.status_code == 400
        assert sku in " ".join(response.json()["parts_used"])
    ticket = Ticket.objects.get(pk=tid)
    assert (ticket.status, ticket.parts_used, ticket.resolution_code) == ("on_site", [], "")
    assert stock(van) == {"SFP-10G-SR": 2, "PSU-750": 1}
    assert not StockMovement.objects.exists()
    assert TicketEvent.objects.filter(ticket_id=tid).count() == events


@pytest.mark.parametrize(("status", "field", "value"), [
    ("on_hold", "parts_used", [{"sku": "PSU-750", "quantity": 1}]),
    ("on_hold", "resolution_notes", "Waiting for the customer"),
    ("needs_revisit", "resolution_code", "workaround"),
])
def test_completion_fields_with_another_status_are_400_naming_the_field(api, tenant_a, van, status, field, value):
    tid = on_site_ticket(api, tenant_a)
    response = transition(api, tenant_a, tid, status=status, **{field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert Ticket.objects.get(pk=tid).status == "on_site"
    assert stock(van) == {"SFP-10G-SR": 2, "PSU-750": 1}


def test_bad_shapes_are_400_naming_the_field(api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    assert "resolution_code" in transition(api, tenant_a, tid, status="completed", resolution_code="magic").json()
    assert "parts_used" in transition(api, tenant_a, tid, status="completed",
                                      parts_used=[{"sku": "PSU-750", "quantity": 0}]).json()
    assert Ticket.objects.get(pk=tid).status == "on_site"


def test_parts_fitted_before_a_revisit_count_with_the_ones_fitted_after(api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    assert transition(api, tenant_a, tid, status="needs_revisit", note="PSU fitted; SFP also faulty",
                      parts_used=[{"sku": "PSU-750", "quantity": 1}]).status_code == 200
    for status in ("dispatched", "en_route", "on_site"):
        assert transition(api, tenant_a, tid, status=status).status_code == 200
    assert transition(api, tenant_a, tid, status="completed", resolution_code="replaced_part",
                      parts_used=[{"sku": "SFP-10G-SR", "quantity": 2}]).status_code == 200
    body = api.get(f"{URL}{tid}/", tenant_a).json()
    assert body["parts_used"] == [{"sku": "PSU-750", "quantity": 1}, {"sku": "SFP-10G-SR", "quantity": 2}]
    assert body["first_time_fix"] is False
    assert stock(van) == {"SFP-10G-SR": 0, "PSU-750": 0}


def test_a_part_the_van_lacks_completes_the_job_and_records_the_shortfall(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    response = transition(api, tenant_a, tid, status="completed",
                          parts_used=[{"sku": "SFP-10G-SR", "quantity": 3}, {"sku": "CBL-CAT6-3M", "quantity": 1}])
    assert response.status_code == 200, response.json()
    assert response.json()["parts_used"] == [{"sku": "SFP-10G-SR", "quantity": 3}, {"sku": "CBL-CAT6-3M", "quantity": 1}]
    assert stock(van) == {"SFP-10G-SR": 0, "PSU-750": 1}  # never below zero
    event = TicketEvent.objects.filter(ticket_id=tid, to_status="completed").get()
    assert event.data["van_taken"] == [{"sku": "SFP-10G-SR", "quantity": 2}]
    assert event.data["van_shortfall"] == [{"sku": "SFP-10G-SR", "quantity": 1}, {"sku": "CBL-CAT6-3M", "quantity": 1}]
    client.force_login(tenant_a.dispatcher)
    page = client.get(f"/tickets/{tid}/").content.decode()
    assert "not in the van's stock count:</b> 1 × SFP-10G-SR, 1 × CBL-CAT6-3M" in page


def test_the_ticket_page_shows_the_resolution_and_the_parts_used(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    transition(api, tenant_a, tid, status="completed", resolution_code="no_fault_found",
               resolution_notes="Tested every port; all fine", parts_used=[{"sku": "PSU-750", "quantity": 1}])
    client.force_login(tenant_a.dispatcher)
    page = client.get(f"/tickets/{tid}/").content.decode()
    assert "no fault found" in page and "Tested every port; all fine" in page
    assert "<dt>Parts used</dt><dd>1 × PSU-750</dd>" in page
    assert "<dt>Parts requested</dt><dd>2 × SFP-10G-SR</dd>" in page


# --- the technician's phone ---------------------------------------------------------------------------------

def test_the_phone_offers_the_requested_parts_and_records_what_was_used(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    client.force_login(tenant_a.tech_user)
    page = client.get("/my/jobs/").content.decode()
    assert 'name="part_sku" value="SFP-10G-SR"' in page and 'value="2" aria-label="Parts used' in page
    assert '<option value="replaced_part">' in page and '<option value="PSU-750">' in page  # codes, van SKUs
    response = client.post(f"/my/jobs/{tid}/status/", {
        "status": "completed", "note": "Swapped one SFP", "resolution_code": "replaced_part",
        "signed_off_by": "Ana Ruiz",
        # The requested SFPs (the tech used 1 of 2), then the free row: a PSU.
        "part_sku": ["SFP-10G-SR", "PSU-750"], "part_quantity": ["1", "1"]}, follow=True)
    assert "completed." in response.content.decode()
    ticket = Ticket.objects.get(pk=tid)
    assert (ticket.status, ticket.resolution_code, ticket.resolution_notes) == ("completed", "replaced_part",
                                                                               "Swapped one SFP")
    assert ticket.parts_used == [{"sku": "SFP-10G-SR", "quantity": 1}, {"sku": "PSU-750", "quantity": 1}]
    assert stock(van) == {"SFP-10G-SR": 1, "PSU-750": 0}


def test_the_phone_does_not_prefill_a_requested_part_the_catalogue_lacks(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    Ticket.objects.filter(pk=tid).update(parts=[{"sku": "SFP-10G-SR", "quantity": 2}, {"sku": "ITSM-ONLY", "quantity": 1}])
    client.force_login(tenant_a.tech_user)
    page = client.get("/my/jobs/").content.decode()
    assert 'ITSM-ONLY <small class="muted">not in the catalogue</small>' in page
    assert 'value="0" aria-label="Parts used: quantity of ITSM-ONLY' in page
    assert 'value="2" aria-label="Parts used: quantity of SFP-10G-SR' in page


def test_the_phone_drops_parts_left_at_zero_and_warns_of_a_shortfall(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    client.force_login(tenant_a.tech_user)
    response = client.post(f"/my/jobs/{tid}/status/", {
        "status": "completed", "part_sku": ["SFP-10G-SR", "CBL-CAT6-3M"], "part_quantity": ["0", "2"]}, follow=True)
    assert "not in your van&#x27;s stock count: 2 × CBL-CAT6-3M" in response.content.decode()
    assert Ticket.objects.get(pk=tid).parts_used == [{"sku": "CBL-CAT6-3M", "quantity": 2}]
    assert stock(van) == {"SFP-10G-SR": 2, "PSU-750": 1}


def test_the_phone_refuses_an_unknown_part_and_the_job_stays_on_site(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    client.force_login(tenant_a.tech_user)
    for skus, quantities, expected in ((["SFP-10G-SR", "SFP-XX"], ["1", "1"], "Unknown SKU &#x27;SFP-XX&#x27;"),
                                       (["SFP-10G-SR", ""], ["1", "1"], "which part (SKU)?"),
                                       (["SFP-10G-SR"], ["two"], "&#x27;two&#x27; is not a whole number")):
        response = client.post(f"/my/jobs/{tid}/status/", {"status": "completed", "part_sku": skus,
                                                            "part_quantity": quantities}, follow=True)
        assert expected in response.content.decode()
    assert Ticket.objects.get(pk=tid).status == "on_site"
    assert stock(van) == {"SFP-10G-SR": 2, "PSU-750": 1}


def test_a_refused_completion_shows_what_the_technician_typed_to_correct_it(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    client.force_login(tenant_a.tech_user)
    page = client.post(f"/my/jobs/{tid}/status/", {
        "status": "completed", "note": "Swapped the optic", "resolution_code": "replaced_part",
        "signed_off_by": "Ana Ruiz", "part_sku": ["SFP-10G-SR", "SFP-XX"], "part_quantity": ["1", "1"]}
    ).content.decode()
    assert "Unknown SKU &#x27;SFP-XX&#x27;" in page
    assert ">Swapped the optic</textarea>" in page and 'value="Ana Ruiz"' in page
    assert '<option value="replaced_part" selected>' in page
    assert 'value="1" aria-label="Parts used: quantity of SFP-10G-SR' in page  # not the prefilled 2
    assert 'name="part_sku" value="SFP-XX"' in page
    # Corrected and sent again, it completes.
    client.post(f"/my/jobs/{tid}/status/", {
        "status": "completed", "note": "Swapped the optic", "resolution_code": "replaced_part",
        "part_sku": ["SFP-10G-SR", "PSU-750"], "part_quantity": ["1", "1"]})
    assert Ticket.objects.get(pk=tid).status == "completed"


def test_the_phone_records_parts_fitted_before_a_revisit(client, api, tenant_a, van):
    tid = on_site_ticket(api, tenant_a)
    client.force_login(tenant_a.tech_user)
    assert "Parts fitted so far" in client.get("/my/jobs/").content.decode()
    client.post(f"/my/jobs/{tid}/status/", {"status": "needs_revisit", "note": "Second SFP dead on arrival",
                                            "part_sku": ["SFP-10G-SR", ""], "part_quantity": ["1", ""]})
    ticket = Ticket.objects.get(pk=tid)
    assert ticket.status == "needs_revisit"
    assert ticket.parts_used == [{"sku": "SFP-10G-SR", "quantity": 1}]
    assert stock(van)["SFP-10G-SR"] == 1
