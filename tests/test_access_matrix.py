"""Every URL pattern the project defines, as every role, with GET and with POST
where the view accepts it. A URL that is not in the matrix fails this test.

Outcomes: "login" (sent to log in), "admin login" (sent to the admin's login),
or an HTTP status: 200 shown, 302 redirected on, 400 refused with a message,
403 forbidden, 404 not found (outside the user's scope), 405 method not allowed,
409 refused because of the return's state.
"""

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from scorecard.models import MonthlyReturn

ROLES = ["anonymous", "manager_a", "manager_b", "officer", "director", "admin"]
USERNAMES = {
    "manager_a": "manager",
    "manager_b": "manager2",
    "officer": "officer",
    "director": "director",
    "admin": "admin",
}


def outcomes(anonymous, manager_a, manager_b, officer, director, admin):
    return dict(
        zip(ROLES, [anonymous, manager_a, manager_b, officer, director, admin], strict=True)
    )


EVERYONE = outcomes("login", 200, 200, 200, 200, 200)
OFFICERS = outcomes("login", 403, 403, 200, 403, 200)
ANYONE = outcomes(200, 200, 200, 200, 200, 200)
OFFICERS_REFUSE_EMPTY = outcomes("login", 403, 403, 400, 403, 400)  # a POST with nothing in it

# route name -> {"GET": outcomes, "POST": outcomes (where the view accepts POST)}
MATRIX = {
    "login": {
        "GET": outcomes(200, 302, 302, 302, 302, 302),
        "POST": outcomes(200, 302, 302, 302, 302, 302),
    },
    "logout": {
        "GET": outcomes("login", 405, 405, 405, 405, 405),
        "POST": outcomes("login", "login", "login", "login", "login", "login"),
    },
    "admin:index": {
        "GET": outcomes("admin login", "admin login", "admin login", 200, "admin login", 200)
    },
    "home": {"GET": outcomes("login", 302, 302, 302, 302, 302)},
    "healthz": {"GET": outcomes(200, 200, 200, 200, 200, 200)},
    "summary": {"GET": EVERYONE},
    "exceptions": {"GET": outcomes("login", 403, 403, 200, 200, 200)},
    "scorecard": {"GET": EVERYONE},
    "measure-detail": {"GET": EVERYONE},
    "workforce": {"GET": EVERYONE},
    # a pack shows every area's figures: for those who may see every area
    "board-packs": {
        "GET": outcomes("login", 403, 403, 200, 200, 200),
        "POST": outcomes("login", 403, 403, 400, 400, 400),  # no month, no area
    },
    "board-pack": {"GET": outcomes("login", 403, 403, 404, 404, 404)},  # a return's pk
    "board-pack-download": {"GET": outcomes("login", 403, 403, 404, 404, 404)},
    "calculation-runs": {"GET": OFFICERS},
    "approval-queue": {"GET": OFFICERS},
    "completeness": {"GET": OFFICERS},
    "my-returns": {"GET": outcomes("login", 200, 200, 200, 403, 200)},
    "return-detail": {
        "GET": outcomes("login", 200, 404, 200, 403, 200),
        "POST": outcomes("login", 400, 404, 403, 403, 403),
    },
    "return-history": {
        "GET": outcomes("login", 200, 404, 200, 403, 200),
        "POST": outcomes("login", 405, 405, 405, 403, 405),
    },
    "return-transition": {
        "GET": outcomes("login", 403, 403, 302, 403, 302),
        "POST": outcomes("login", 403, 403, 409, 403, 409),
    },
    "import": {"GET": OFFICERS, "POST": outcomes("login", 403, 403, 400, 403, 400)},
    "import-confirm": {
        "GET": outcomes("login", 403, 403, 302, 403, 302),
        "POST": outcomes("login", 403, 403, 409, 403, 409),
    },
    "password_change": {"GET": EVERYONE, "POST": EVERYONE},  # POST: the form, with errors
    "password_change_done": {"GET": EVERYONE},
    "password_reset": {"GET": ANYONE, "POST": ANYONE},
    "password_reset_done": {"GET": ANYONE},
    # the example link is not a valid one: the page says it has expired
    "password_reset_confirm": {"GET": ANYONE, "POST": ANYONE},
    "password_reset_complete": {"GET": ANYONE},
    "import-change-sets": {"GET": OFFICERS},
    # POST with nothing ticked: refused with a message
    "measure-library": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},
    "setup": {"GET": OFFICERS},
    "setup-groups": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},
    "setup-measure": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},
    "setup-new-measure": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},
    "setup-populations": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},
    "setup-managers": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},
    "setup-download": {"GET": OFFICERS},
    "setup-upload": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},  # POST: no file
    "setup-upload-confirm": {
        "GET": outcomes("login", 403, 403, 302, 403, 302),
        "POST": outcomes("login", 403, 403, 409, 403, 409),  # no preview to confirm
    },
    "annexa-upload": {"GET": OFFICERS, "POST": OFFICERS_REFUSE_EMPTY},  # POST: no file
    "annexa-confirm": {
        "GET": outcomes("login", 403, 403, 302, 403, 302),
        "POST": outcomes("login", 403, 403, 409, 403, 409),  # no preview to confirm
    },
    # POST with no team listed: nothing to map, saved
    "annexa-teams": {"GET": OFFICERS, "POST": outcomes("login", 403, 403, 302, 403, 302)},
    # the example pk is a return's, so no change set has it: officers get 404
    "import-change-set": {
        "GET": outcomes("login", 403, 403, 404, 403, 404),
        "POST": outcomes("login", 403, 403, 404, 403, 404),
    },
}


def project_routes(patterns=None, prefix="", namespace=""):
    """(name, pattern) for every named route; the admin counts as its index only."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                yield "admin:index", prefix + str(entry.pattern)
                continue
            yield from project_routes(
                entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield (
                f"{namespace}:{entry.name}" if namespace else entry.name,
                prefix + str(entry.pattern),
            )


def test_every_url_pattern_is_in_the_matrix():
    names = {name for name, _ in project_routes()}
    missing = names - set(MATRIX)
    assert not missing, f"add these URLs to the access matrix: {sorted(missing)}"
    assert not set(MATRIX) - names, "the matrix names URLs that no longer exist"


def test_every_view_that_accepts_post_has_post_expectations():
    for name, _ in project_routes():
        view = get_resolver().resolve(_path_for(name, example_kwargs())).func
        view_class = getattr(view, "view_class", None)
        if view_class is not None and hasattr(view_class, "post"):
            assert "POST" in MATRIX[name], f"{name} accepts POST: add its POST outcomes"


def example_kwargs():
    return {"pk": 1, "code": "repeat-referrals"}


def _path_for(name, kwargs):
    from django.urls import NoReverseMatch

    for attempt in (
        {},
        {"pk": kwargs["pk"]},
        {"code": kwargs["code"]},
        {"uidb64": "MQ", "token": "not-a-token"},
    ):
        try:
            return reverse(name, kwargs=attempt)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


def outcome_of(response):
    if response.status_code == 302 and "/admin/login/" in response.url:
        return "admin login"
    if response.status_code == 302 and response.url.startswith("/login/"):
        return "login"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_access(client, sample, django_user_model, role):
    """One role at a time over every route and method; every mismatch is listed."""
    feb = MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")
    user = None if role == "anonymous" else django_user_model.objects.get(username=USERNAMES[role])
    mismatches = []
    for name, methods in MATRIX.items():
        for method, expected in methods.items():
            cache.clear()
            client.logout()
            if user is not None:
                client.force_login(user)
            url = _path_for(name, {"pk": feb.pk, "code": "repeat-referrals"})
            if method == "GET":
                response = client.get(url)
            else:
                data = (
                    {"action": "approve", "version": feb.version}
                    if name == "return-transition"
                    else {}
                )
                response = client.post(url, data)
            if outcome_of(response) != expected[role]:
                mismatches.append(
                    f"{method} {name} ({url}): expected {expected[role]}, "
                    f"got {outcome_of(response)}"
                )
            assert MonthlyReturn.objects.get(pk=feb.pk).status == "draft"  # nothing happened
    assert not mismatches, "\n".join(mismatches)
