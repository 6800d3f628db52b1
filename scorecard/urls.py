from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
]
