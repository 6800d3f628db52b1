import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()


def _static_files_collected() -> None:
    """Refuse to serve, saying why, when the static files were never collected:
    the production storage names every file from collectstatic's manifest, so
    without it every page would fail with a 500."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(staticfiles_storage, ManifestFilesMixin) and not staticfiles_storage.exists(
        staticfiles_storage.manifest_name
    ):
        raise ImproperlyConfigured(
            f"No static files in {settings.STATIC_ROOT}: run `manage.py collectstatic "
            "--noinput` (with the same settings) before starting the web server."
        )


_static_files_collected()
