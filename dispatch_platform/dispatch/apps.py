from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "dispatch_platform.dispatch"
    label = "dispatch"
    verbose_name = "Dispatch"

    def ready(self):
        from . import receivers  # noqa: F401  (re-plan triggers on the tickets app's signals)
