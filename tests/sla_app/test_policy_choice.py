"""Which SLA policy's targets a ticket gets: customer+region, customer, region, tenant default; the newest
among equals; inactive policies and other tenants' policies never."""

import copy

from sla.models import SlaPolicy
from sla.selectors import sla_targets_for
from sla.services import sla_policy_save
from tests.conftest import STANDARD_TARGETS


def policy(tenant, name, minutes, **scope):
    targets = copy.deepcopy(STANDARD_TARGETS)
    targets[0]["response"]["minutes"] = minutes  # P1's response tells the policies apart
    return sla_policy_save(organization=tenant.org, data={"name": name, "targets": targets, **scope})


def p1_minutes(tenant, customer_id, region):
    target = sla_targets_for(organization=tenant.org, customer_id=customer_id, region=region).get("P1")
    return None if target is None else (target.policy.name, target.response["minutes"])


def test_the_most_specific_active_policy_wins_level_by_level(tenant_a, tenant_b):
    customer = tenant_a.customer.pk
    policy(tenant_b, "Theirs", 1, region="east")  # another tenant's, however specific: never
    both = policy(tenant_a, "Both", 60, customer=tenant_a.customer, region="east")
    only_customer = policy(tenant_a, "Customer", 90, customer=tenant_a.customer)
    only_region = policy(tenant_a, "Region", 120, region="east")
    assert p1_minutes(tenant_a, customer, "east") == ("Both", 60)
    assert p1_minutes(tenant_a, customer, "west") == ("Customer", 90)
    assert p1_minutes(tenant_a, None, "east") == ("Region", 120)
    assert p1_minutes(tenant_a, None, "west") == ("Standard", 240)  # the tenant default

    for retired, then in ((both, ("Customer", 90)), (only_customer, ("Region", 120)), (only_region, ("Standard", 240))):
        SlaPolicy.objects.filter(pk=retired.pk).update(active=False)
        assert p1_minutes(tenant_a, customer, "east") == then


def test_the_newest_of_equals_wins_and_a_policy_without_targets_is_passed_over(tenant_a):
    policy(tenant_a, "Newer default", 200)
    assert p1_minutes(tenant_a, None, None) == ("Newer default", 200)
    empty = sla_policy_save(organization=tenant_a.org, data={"name": "Empty", "customer": tenant_a.customer,
                                                             "targets": []})
    assert empty.targets.count() == 0
    assert p1_minutes(tenant_a, tenant_a.customer.pk, None) == ("Newer default", 200)


def test_a_policy_missing_the_priority_starts_no_clock_for_it(tenant_a):
    targets = [t for t in copy.deepcopy(STANDARD_TARGETS) if t["priority"] == "P1"]
    sla_policy_save(organization=tenant_a.org, data={"name": "P1 only", "customer": tenant_a.customer,
                                                     "targets": targets})
    found = sla_targets_for(organization=tenant_a.org, customer_id=tenant_a.customer.pk, region=None)
    assert set(found) == {"P1"} and found["P1"].policy.name == "P1 only"
