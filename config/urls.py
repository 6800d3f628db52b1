from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scorecard import accounts

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("workforce/", include("workforce.urls")),
    path("annex-a/", include("annexa.urls")),
    path("board-packs/", include("boardpack.urls")),
    path("", include("scorecard.urls")),
]

handler500 = "scorecard.views.server_error"
