from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST layer's own state (Idempotency-Key records); no business models."""

    name = "dispatch_platform.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"
