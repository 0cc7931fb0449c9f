"""Rate limits per API client (its `rate_limit`, e.g. "600/min"), counted in the shared cache.

In production the cache is Redis (CACHE_URL), so every web process counts against the same budget.
A throttled request answers 429 with a Retry-After header.
"""

from rest_framework.throttling import SimpleRateThrottle

from dispatch_platform.tenancy.models import ApiClient


class ApiClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return True  # people in the browser are not rate limited here
        self.rate = request.auth.rate_limit
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return None  # set per client in allow_request

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
