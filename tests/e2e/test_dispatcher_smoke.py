import pytest
from playwright.sync_api import Page, expect

from tests.factories import DEMO_PASSWORD, MembershipFactory, TicketFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_signs_in_and_sees_the_queue(live_server, page: Page):
    membership = MembershipFactory(role="dispatcher")
    ticket = TicketFactory(organization=membership.organization, title="POS terminal offline", priority="P1")

    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Dispatcher queue")).to_be_visible()
    expect(page.get_by_text(ticket.number)).to_be_visible()
    expect(page.get_by_text("POS terminal offline")).to_be_visible()
