from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dispatch_platform.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
