"""`Idempotency-Key` on POSTs under /api/v1/ (DESIGN §8): a retried request gets the first answer back.

How it works, per POST that carries the header (a POST without it is untouched):
1. The whole request runs in one transaction.
2. After authentication and permissions (so the tenant is known), an `IdempotencyKey` row for
   (organization, key) is inserted first, in a savepoint. The unique constraint decides who is first:
   a concurrent twin blocks on the insert (PostgreSQL) until the first request commits, then fails it
   and reads the finished row.
3. The view runs; its answer (status and JSON body) is stored in that row before the commit.
4. A later request with the same key and the same request (method, path, body as parsed) gets the stored
   answer with `Idempotent-Replayed: true`; the same key with another request answers 422
   `{"Idempotency-Key": ["...was used with a different request body."]}`.

The body is compared as DRF parsed it (`request_fingerprint`), never as raw bytes: reading `request.body`
would hold it in memory and refuse anything over DATA_UPLOAD_MAX_MEMORY_SIZE (a 1,000-ticket bulk is more),
and a multipart upload's raw body differs on every retry (its boundary). A body that cannot be parsed is
answered (400, 413, 415) without taking the key.

Answers below 500 are kept (a 400 replays as the same 400), except 401/403/429, which say nothing about
the request and are retried with the same key once fixed. A 5xx rolls everything back, key included.
Keys are scoped per organization and honoured for 24 hours (`RETENTION`); an older key is treated as new.
`idempotency_keys_purge()` deletes expired rows (to be scheduled with the other beat jobs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Answers that depend on who asks or how often, not on the request: not kept.
NOT_KEPT = frozenset({401, 403, 429})


class _Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


def _file_digest(upload: UploadedFile) -> dict:
    content = hashlib.sha256()
    for chunk in upload.chunks():
        content.update(chunk)
    upload.seek(0)  # the view reads it again
    return {"name": upload.name, "content_type": upload.content_type, "size": upload.size,
            "sha256": content.hexdigest()}


def _canonical(data) -> bytes:
    """JSON data with sorted keys and no whitespace (key order and spacing don't make another body); a form
    (multipart or urlencoded) as its fields' values in order and, for a file, its name, declared type, size
    and the sha256 of its content."""
    if isinstance(data, MultiValueDict):
        form = {name: [_file_digest(v) if isinstance(v, UploadedFile) else v for v in values]
                for name, values in data.lists()}
        return b"form\n" + json.dumps(form, sort_keys=True, separators=(",", ":")).encode()
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def request_fingerprint(method: str, path: str, data) -> str:
    """sha256 of the request: method, path and the body as parsed (`request.data`), canonicalised."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", _canonical(data)):
        digest.update(part)
    return digest.hexdigest()


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes keys older than RETENTION; returns how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _error(message: str, code: int) -> Response:
    return Response({HEADER: [message]}, status=code)


class IdempotencyMixin:
    """For DRF views: honours `Idempotency-Key` on POST. Put it before the DRF base class."""

    def _idempotency_key(self, request) -> str | None:
        if request.method != "POST":
            return None
        return request.headers.get(HEADER) or None

    def dispatch(self, request, *args, **kwargs):
        self._idempotency_record = None
        if self._idempotency_key(request) is None:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = self._idempotency_key(request)
        organization = getattr(request, "organization", None)
        if key is None or organization is None:
            return
        if len(key) > MAX_KEY_LENGTH:
            raise _Replay(_error(f"At most {MAX_KEY_LENGTH} characters.", status.HTTP_400_BAD_REQUEST))
        # Parsing happens here rather than in the view (DRF keeps the result): a body it refuses is answered
        # before the key is taken.
        fingerprint = request_fingerprint(request.method, request.path, request.data)
        try:
            with transaction.atomic():
                self._idempotency_record = IdempotencyKey.objects.create(
                    organization=organization, key=key, request_hash=fingerprint
                )
            return
        except IntegrityError:
            pass
        # Someone was first. On PostgreSQL our insert waited for their commit, so the row is final.
        record = IdempotencyKey.objects.select_for_update().get(organization=organization, key=key)
        if record.created_at < timezone.now() - RETENTION:
            record.delete()
            self._idempotency_record = IdempotencyKey.objects.create(
                organization=organization, key=key, request_hash=fingerprint
            )
            return
        if record.request_hash != fingerprint:
            raise _Replay(_error(f"This {HEADER} was used with a different request body.",
                                 status.HTTP_422_UNPROCESSABLE_ENTITY))
        if record.status_code is None:
            raise _Replay(_error(f"A request with this {HEADER} is still in progress; retry later.",
                                 status.HTTP_409_CONFLICT))
        response = Response(record.response_body, status=record.status_code)
        response[REPLAY_HEADER] = "true"
        raise _Replay(response)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency_record", None)
        if record is None:
            return response
        self._idempotency_record = None
        if response.status_code >= 500:
            return response  # the exception, if any, rolls the transaction back
        if response.status_code in NOT_KEPT or not hasattr(response, "data"):
            record.delete()
            return response
        # Store exactly what the client saw, as JSON (dates already rendered to strings).
        record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
        record.status_code = response.status_code
        record.save(update_fields=["response_body", "status_code"])
        return response
