from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "dispatch_platform.sites"
    label = "sites"
    verbose_name = "Customers and sites"
