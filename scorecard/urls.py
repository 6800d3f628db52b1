from django.urls import path

from . import (
    views,
    views_import,
    views_library,
    views_returns,
    views_setup,
    views_setup_file,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("exceptions/", views.ExceptionsView.as_view(), name="exceptions"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path(
        "scorecard/measures/<slug:code>/", views.MeasureDetailView.as_view(), name="measure-detail"
    ),
    path("healthz", views.healthz, name="healthz"),
    path("calculations/", views.CalculationRunsView.as_view(), name="calculation-runs"),
    path("returns/", views_returns.MyReturnsView.as_view(), name="my-returns"),
    path("returns/<int:pk>/", views_returns.ReturnDetailView.as_view(), name="return-detail"),
    path(
        "returns/<int:pk>/history/",
        views_returns.ReturnHistoryView.as_view(),
        name="return-history",
    ),
    path(
        "returns/<int:pk>/review/",
        views_returns.ReturnTransitionView.as_view(),
        name="return-transition",
    ),
    path("approvals/", views_returns.ApprovalQueueView.as_view(), name="approval-queue"),
    path("completeness/", views_returns.CompletenessView.as_view(), name="completeness"),
    path("setup/", views_setup.SetupIndexView.as_view(), name="setup"),
    path("setup/library/", views_library.MeasureLibraryView.as_view(), name="measure-library"),
    path("setup/measures/", views_setup.GroupsView.as_view(), name="setup-groups"),
    path("setup/measures/new/", views_setup.NewMeasureView.as_view(), name="setup-new-measure"),
    path(
        "setup/measures/<slug:code>/",
        views_setup.MeasureSetupView.as_view(),
        name="setup-measure",
    ),
    path("setup/populations/", views_setup.PopulationsView.as_view(), name="setup-populations"),
    path("setup/managers/", views_setup.ManagersView.as_view(), name="setup-managers"),
    path("setup/download/", views_setup_file.SetupDownloadView.as_view(), name="setup-download"),
    path("setup/upload/", views_setup_file.SetupUploadView.as_view(), name="setup-upload"),
    path(
        "setup/upload/confirm/",
        views_setup_file.SetupUploadConfirmView.as_view(),
        name="setup-upload-confirm",
    ),
    path("import/", views_import.ImportView.as_view(), name="import"),
    path("import/confirm/", views_import.ImportConfirmView.as_view(), name="import-confirm"),
    path("import/changes/", views_import.ChangeSetListView.as_view(), name="import-change-sets"),
    path(
        "import/changes/<int:pk>/",
        views_import.ChangeSetDetailView.as_view(),
        name="import-change-set",
    ),
]
