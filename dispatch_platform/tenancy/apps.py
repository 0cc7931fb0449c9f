from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dispatch_platform.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .rls import ensure_row_level_security

        # After every migrate: the handler covers every installed tenant model, new tables included.
        post_migrate.connect(ensure_row_level_security, dispatch_uid="tenancy.rls")
