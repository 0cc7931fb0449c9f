"""What every endpoint shares, written into the OpenAPI schema once instead of on each view.

- POSTs of views that honour `Idempotency-Key` (api.idempotency) take the header, and may answer 409 (the
  first request with the key is still running) or 422 (the key was used with another body); a replay
  carries `Idempotent-Replayed: true`.
- Every /api/v1/ operation may answer 429 with `Retry-After` (api.throttling, per API client).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .idempotency import HEADER, MAX_KEY_LENGTH, IdempotencyMixin

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=False,
    description=(f"Up to {MAX_KEY_LENGTH} characters, unique per request you mean once. A retry with the same key "
                 "and body gets the first answer again (with `Idempotent-Replayed: true`); the same key with "
                 "another body answers 422. Keys are kept for 24 hours."),
)

_ERROR = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
          "description": "The field (here the header) and what is wrong with it."}
_JSON_ERROR = {"application/json": {"schema": _ERROR}}
RESPONSES_IDEMPOTENT = {
    "409": {"description": f"A request with this {HEADER} is still in progress; retry later.",
            "content": _JSON_ERROR},
    "422": {"description": f"This {HEADER} was used with a different request body.", "content": _JSON_ERROR},
}
RESPONSE_THROTTLED = {
    "429": {"description": "Over the API client's rate limit.",
            "headers": {"Retry-After": {"schema": {"type": "integer"},
                                        "description": "Seconds until the next period of the rate begins."}},
            "content": {"application/json": {"schema": {
                "type": "object", "properties": {"detail": {"type": "string"}}}}}},
}


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST" and isinstance(self.view, IdempotencyMixin):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters


def shared_responses_hook(result, generator, request, public):
    """drf-spectacular post-processing: the shared 409/422 and 429 answers on every operation they apply to."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if any(p.get("in") == "header" and p.get("name") == HEADER for p in operation.get("parameters", [])):
                for code, answer in RESPONSES_IDEMPOTENT.items():
                    responses.setdefault(code, answer)
            for code, answer in RESPONSE_THROTTLED.items():
                responses.setdefault(code, answer)
    return result
