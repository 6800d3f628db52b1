from django.urls import path

from . import views

urlpatterns = [
    path("", views.AnnexAUploadView.as_view(), name="annexa-upload"),
    path("confirm/", views.AnnexAConfirmView.as_view(), name="annexa-confirm"),
    path("teams/", views.TeamMappingView.as_view(), name="annexa-teams"),
]
