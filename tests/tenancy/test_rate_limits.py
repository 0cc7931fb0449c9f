import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from dispatch_platform.tenancy.models import validate_rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_client_over_its_rate_gets_429_with_retry_after(api, tenant_a):
    tenant_a.client_obj.rate_limit = "3/min"
    tenant_a.client_obj.save()
    statuses = [api.get("/api/v1/sites/", tenant_a).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = api.get("/api/v1/sites/", tenant_a)
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "detail" in throttled.json()


def test_each_client_has_its_own_budget(api, tenant_a, tenant_b):
    tenant_a.client_obj.rate_limit = "1/min"
    tenant_a.client_obj.save()
    assert api.get("/api/v1/sites/", tenant_a).status_code == 200
    assert api.get("/api/v1/sites/", tenant_a).status_code == 429
    assert api.get("/api/v1/sites/", tenant_b).status_code == 200


@pytest.mark.parametrize("rate", ["600/min", "20/s", "10000/hour", "1/day"])
def test_good_rates_validate(rate):
    validate_rate(rate)


@pytest.mark.parametrize("rate", ["fast", "0/min", "10/fortnight", "/min"])
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValidationError):
        validate_rate(rate)
