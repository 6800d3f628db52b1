from django.apps import AppConfig


class BoardPackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "boardpack"
    verbose_name = "Board packs"
