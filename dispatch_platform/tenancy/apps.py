from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dispatch_platform.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from .config_token import drop_config_triggers, ensure_config_triggers
        from .rls import ensure_row_level_security

        # After every migrate: the handlers cover every installed model, new tables included.
        post_migrate.connect(ensure_row_level_security, dispatch_uid="tenancy.rls")
        pre_migrate.connect(drop_config_triggers, dispatch_uid="tenancy.config_token.drop")
        post_migrate.connect(ensure_config_triggers, dispatch_uid="tenancy.config_token")
