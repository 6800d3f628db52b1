"""The three roles as Django groups, with their permissions.

Created on every `migrate` (post_migrate), after Django has made the permissions:
a data migration would find none on a fresh database.
"""

from django.contrib.auth.management import create_permissions

TEAM_MANAGERS = "Team managers"
PERFORMANCE_OFFICERS = "Performance officers"
DIRECTORS = "Directors"

REFERENCE_MODELS = [
    "measure",
    "measuregroup",
    "target",
    "baseline",
    "benchmark",
    "population",
    "teammembership",
]

# What changing the whole set-up at once (the set-up file's upload) needs: the
# right to change every kind of reference data.
SET_UP_PERMISSIONS = tuple(f"scorecard.change_{model}" for model in REFERENCE_MODELS)

GROUP_PERMISSIONS = {
    TEAM_MANAGERS: [
        "scorecard.submit_monthlyreturn",
        "scorecard.view_scorecard",
    ],
    PERFORMANCE_OFFICERS: [
        *(
            f"scorecard.{action}_{model}"
            for model in REFERENCE_MODELS
            for action in ("add", "change", "delete", "view")
        ),
        "scorecard.submit_monthlyreturn",
        "scorecard.approve_monthlyreturn",
        "scorecard.view_all_areas",
        "scorecard.view_scorecard",
        "scorecard.view_calculationrun",
        "scorecard.import_scorecard",
    ],
    DIRECTORS: [
        "scorecard.view_all_areas",
        "scorecard.view_scorecard",
    ],
}


def create_role_groups(sender=None, apps=None, using="default", **kwargs):
    from django.apps import apps as global_apps
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    for name, codes in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)


def role_of(user) -> str:
    """The role a page greets the user as."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "Administrator"
    names = set(user.groups.values_list("name", flat=True))
    for name, label in (
        (PERFORMANCE_OFFICERS, "Performance officer"),
        (DIRECTORS, "Director"),
        (TEAM_MANAGERS, "Team manager"),
    ):
        if name in names:
            return label
    return ""
