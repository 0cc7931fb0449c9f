from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "dispatch_platform.dispatch"
    label = "dispatch"
    verbose_name = "Dispatch"
