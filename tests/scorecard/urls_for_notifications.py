"""The project's URLs plus a stand-in `return-detail` route, for the tests that
build links to returns before the return pages exist."""

from django.http import HttpResponse
from django.urls import include, path


def dummy_view(request, pk):
    return HttpResponse(f"return {pk}")


urlpatterns = [
    path("returns/<int:pk>/", dummy_view, name="return-detail"),
    path("", include("config.urls")),
]
