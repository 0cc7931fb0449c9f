"""Dispatch platform: multi-tenant dispatch for IT field service."""

__version__ = "0.1.0"

# Celery's app is loaded with Django so that @shared_task binds to it.
from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app", "__version__"]
