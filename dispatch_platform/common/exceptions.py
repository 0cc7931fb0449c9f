"""Domain errors raised by services; the API's exception handler maps them to HTTP answers."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule said no (HTTP 400). `extra` names fields: {"field": ["message"]}."""

    status_code = 400

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    """What the request refers to does not exist in this organization (HTTP 404); `extra` names the field."""

    status_code = 404


class ConflictError(ApplicationError):
    """The request is valid but conflicts with the object's current state (HTTP 409)."""

    status_code = 409
