from __future__ import annotations

from django.db import models

from dispatch_platform.tenancy.models import Organization


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, replayed for repeats (24 h)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and the canonical JSON body: the same key with another request is a 422.
    request_hash = models.CharField(max_length=64)
    # Null while the first request is still running (only ever visible inside its own transaction).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"],
                name="%(app_label)s_%(class)s_unique_organization_key",
                violation_error_message="This Idempotency-Key was already used.",
            )
        ]
        # The purge (idempotency_keys_purge) deletes by age.
        indexes = [models.Index(fields=["created_at"], name="api_idemkey_created_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.key} → {self.status_code}"
