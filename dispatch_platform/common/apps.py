from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "dispatch_platform.common"
    label = "common"
    verbose_name = "Common"
