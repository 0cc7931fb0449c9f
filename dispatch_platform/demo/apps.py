from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dispatch_platform.demo"
    label = "demo"
    verbose_name = "Demo data"
