from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScorecardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecard"
    verbose_name = "Scorecard"

    def ready(self):
        from . import roles, security

        post_migrate.connect(roles.create_role_groups, dispatch_uid="scorecard_role_groups")
        security.connect_signals()
