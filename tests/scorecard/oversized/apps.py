from django.apps import AppConfig


class OversizedConfig(AppConfig):
    name = "tests.scorecard.oversized"
    label = "oversized"
    scorecard_part = "tests.scorecard.oversized.PART"
