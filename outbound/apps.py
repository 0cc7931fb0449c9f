from django.apps import AppConfig


class OutboundConfig(AppConfig):
    name = "outbound"
    verbose_name = "Outbound webhooks"

    def ready(self):
        from . import receivers  # noqa: F401  (ticket and SLA events become webhook events)
