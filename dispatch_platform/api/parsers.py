"""The API's JSON parser: streams the body, with a ceiling of its own (API_MAX_JSON_BODY_BYTES).

DRF's JSONParser gets the body through `request.body`, which Django refuses above
DATA_UPLOAD_MAX_MEMORY_SIZE (2 MiB) with an HTML 400 — yet a bulk intake of 1,000 tickets (its limit) is
about 2.4 MB. That setting guards form fields site-wide (sign-in, the dispatcher's pages) and stays; JSON
under /api/v1/ gets a ceiling sized for the bulk intake instead, answered with a JSON 413 naming it.
Not a subclass of JSONParser on purpose: DRF reads `request.body` first for those.
"""

from __future__ import annotations

import codecs

from django.conf import settings
from rest_framework import renderers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings
from rest_framework.utils import json


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, *, size: int, limit: int):
        super().__init__(f"The request body ({size:,} bytes) is too large; the limit is {limit:,} bytes.")


class StreamingJSONParser(BaseParser):
    """DRF's JSONParser (strict: no NaN), reading at most API_MAX_JSON_BODY_BYTES from the stream."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    strict = api_settings.STRICT_JSON

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.API_MAX_JSON_BODY_BYTES
        request = parser_context.get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > limit:
            raise RequestBodyTooLarge(size=declared, limit=limit)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestBodyTooLarge(size=max(declared, len(raw)), limit=limit)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:  # UnicodeDecodeError included
            raise ParseError(f"JSON parse error - {exc}") from None
