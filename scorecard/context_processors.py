from django.conf import settings
from django.urls import reverse

from .roles import role_of

NAVIGATION = [
    # (label, url name, permission needed)
    ("My returns", "my-returns", "scorecard.submit_monthlyreturn"),
    ("Awaiting approval", "approval-queue", "scorecard.approve_monthlyreturn"),
    ("Completeness", "completeness", "scorecard.approve_monthlyreturn"),
    ("RAG summary", "summary", "scorecard.view_scorecard"),
    ("Exceptions", "exceptions", "scorecard.view_all_areas"),
    ("Scorecard", "scorecard", "scorecard.view_scorecard"),
    ("Workforce", "workforce", "scorecard.view_scorecard"),
    ("Board packs", "board-packs", "scorecard.view_all_areas"),
    ("Calculations", "calculation-runs", "scorecard.view_calculationrun"),
    ("Import", "import", "scorecard.import_scorecard"),
    ("Set-up", "setup", "scorecard.change_measure"),
]


def navigation(request):
    user = request.user
    items = []
    if user.is_authenticated:
        for label, name, permission in NAVIGATION:
            if user.has_perm(permission):
                url = reverse(name)
                items.append({"label": label, "url": url, "active": request.path == url})
        if user.is_staff:
            items.append({"label": "Admin", "url": reverse("admin:index"), "active": False})
    return {"service_name": settings.SERVICE_NAME, "user_role": role_of(user), "nav_items": items}
