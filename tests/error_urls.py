"""The service's URLs plus one view that fails, for the 500 page tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as service_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("a failure the page must not show")


urlpatterns = [path("broken/", broken), *service_urlpatterns]
