from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScorecardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecard"
    verbose_name = "Scorecard"

    def ready(self):
        from . import database_roles, replica, roles, security

        # Once per migrate (or test flush), not once per installed app: it makes
        # every app's permissions itself before granting them to the groups.
        post_migrate.connect(
            roles.create_role_groups, sender=self, dispatch_uid="scorecard_role_groups"
        )
        # After every app's migrations (pghistory's included, which reinstalls
        # the context function): new tables get the app role's rights at once.
        post_migrate.connect(database_roles.grant_app_role, dispatch_uid="scorecard_app_role")
        security.connect_signals()
        replica.connect_signals()
