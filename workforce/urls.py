from django.urls import path

from . import views

urlpatterns = [
    path("", views.WorkforceView.as_view(), name="workforce"),
]
