"""factory_boy factories; every tenant-owned object is built inside one organization."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from dispatch_platform.sites.models import Customer, Site
from dispatch_platform.tenancy.models import Membership, Organization
from technicians.models import Certification, Skill, Technician
from tickets.models import Ticket

DEMO_PASSWORD = "correct-horse-42"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.DISPATCHER


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    external_id = factory.Sequence(lambda n: f"CUST-{n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    customer = factory.SubFactory(CustomerFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Site {n}")
    external_id = factory.Sequence(lambda n: f"SITE-{n}")
    city = "Chicago"
    state = "IL"
    postal_code = "60601"
    latitude = 41.8858
    longitude = -87.6181
    timezone = "America/Chicago"
    holidays = factory.LazyFunction(lambda: {"country": "US"})


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("organization", "code")

    organization = factory.SubFactory(OrganizationFactory)
    code = "desktop"


class TechnicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technician
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Technician {n}")
    email = factory.LazyAttribute(lambda t: f"{t.name.lower().replace(' ', '.')}@example.com")
    home_latitude = 41.9
    home_longitude = -87.7
    timezone = "America/Chicago"
    # Works around the clock unless a test says otherwise, so "on shift" never depends on when tests run.
    shift = factory.LazyFunction(lambda: {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})

    @factory.post_generation
    def skills(obj, create, extracted, **kwargs):
        for code in extracted or []:
            obj.skills.add(SkillFactory(organization=obj.organization, code=code))

    @factory.post_generation
    def certifications(obj, create, extracted, **kwargs):
        for code, expires_on in (extracted or {}).items():
            Certification.objects.create(technician=obj, code=code, expires_on=expires_on)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    organization = factory.SubFactory(OrganizationFactory)
    site = factory.SubFactory(SiteFactory, organization=factory.SelfAttribute("..organization"))
    source = "test"
    external_id = factory.Sequence(lambda n: f"EXT-{n}")
    number = factory.Sequence(lambda n: f"WO-{n:06d}")
    title = "Printer jammed"
    priority = "P3"
    opened_at = factory.LazyFunction(timezone.now)
