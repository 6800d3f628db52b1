from django.apps import AppConfig


class AnnexaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "annexa"
    verbose_name = "Annex A"
    # Plugs into the scorecard through its one extension point
    # (`scorecard.extensions`): the data-quality section of a team's return.
    scorecard_part = "annexa.part.PART"
