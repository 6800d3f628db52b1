from django.urls import path

from . import views

urlpatterns = [
    path("", views.BoardPacksView.as_view(), name="board-packs"),
    path("<int:pk>/", views.BoardPackView.as_view(), name="board-pack"),
    path("<int:pk>/download/", views.BoardPackDownloadView.as_view(), name="board-pack-download"),
]
