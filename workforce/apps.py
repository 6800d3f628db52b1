from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workforce"
    verbose_name = "Workforce"
    # The workforce plugs into the scorecard through its one extension point
    # (`scorecard.extensions`); the scorecard never imports this app.
    scorecard_part = "workforce.part.PART"
