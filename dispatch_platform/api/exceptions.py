"""One exception handler: every error answers JSON naming the field or the rule."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dispatch_platform.common.exceptions import ApplicationError


def _too_large(exc) -> Response:
    """Django's body limits, which it would answer with an HTML 400: JSON, naming the limit."""
    if isinstance(exc, RequestDataTooBig):
        message = (f"The request body (or its form fields) is too large; the limit is "
                   f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes.")
        return Response({"detail": message}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFilesSent):
        message = f"Too many files; the limit is {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}."
    else:
        message = f"Too many form fields; the limit is {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}."
    return Response({"detail": message}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return _too_large(exc)
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data = {"detail": response.data.get("detail", "Too many requests.")}
    return response
