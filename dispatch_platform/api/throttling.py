"""Rate limits per API client (its `rate_limit`, e.g. "600/min"), counted in the shared cache.

In production the cache is Redis (CACHE_URL), so every web process counts against the same budget.
A throttled request answers 429 with a Retry-After header.

Why not DRF's SimpleRateThrottle: it reads the client's request history, appends, and writes it back, so
concurrent requests overwrite each other's entries and a client sending 20 at once gets more than its rate
through (encode/django-rest-framework#5181); it also moves the whole history (600 timestamps for
"600/min") through the cache on every request. Here a client has one counter per period of its rate (per
clock minute for "600/min", like GitHub's hourly API budget), raised by the cache's atomic `incr` (Redis
INCR; a lock in the local-memory cache): concurrent requests can be refused too eagerly for an instant,
never let through beyond the rate, and Retry-After is the time to the next period, never more than one.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache as default_cache
from rest_framework.throttling import BaseThrottle

from dispatch_platform.tenancy.models import ApiClient, parse_rate


class ApiClientRateThrottle(BaseThrottle):
    cache = default_cache
    timer = time.time

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiClient):
            return True  # people in the browser are not rate limited here
        limit, period = parse_rate(request.auth.rate_limit)
        window, elapsed = divmod(self.timer(), period)
        key = f"throttle:api_client:{request.auth.pk}:{period}:{int(window)}"
        if self._count_one_more(key, period) <= limit:
            return True
        self.cache.decr(key)  # a refused request uses none of the budget
        self._retry_after = max(1, math.ceil(period - elapsed))
        return False

    def wait(self) -> float:
        return self._retry_after

    def _count_one_more(self, key: str, period: int) -> int:
        try:
            return self.cache.incr(key)
        except ValueError:  # the period's first request
            self.cache.add(key, 0, timeout=period + 60)
            return self.cache.incr(key)
