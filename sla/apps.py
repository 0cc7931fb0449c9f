from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "SLA"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the tickets app's signals)
