"""The staffing section of a monthly return.

One row per `scorecard.MonthlyReturn` of a service area: the same return, so one
approval and one audit trail. The figures describe the team's qualified social
workers; the authority's figures for that staff group are the teams' figures
pooled (see `workforce.sources`).

Every figure may be blank while the return is a draft; the rules a submitted
return must meet are in `workforce.validation`, and the ones no code path may
break are check constraints here.
"""

import pghistory
from django.db import models
from django.db.models import F, Q

from scorecard import limits

# As large as a team manager may enter (`workforce.validation`), from `limits`.
FTE = {**limits.STAFFING_FIGURE.field, "null": True, "blank": True}
DAYS = FTE
CASES = {**limits.STAFFING_COUNT.field, "null": True, "blank": True}

FIGURE_FIELDS = [
    "fte_in_post",
    "headcount_in_post",
    "establishment_fte",
    "vacancies_fte",
    "agency_fte",
    "starters_fte",
    "leavers_fte",
    "days_available",
    "days_lost",
    "open_cases",
]


def _not_negative(name):
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
        name=f"staffing_{name}_not_negative",
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Staffing(models.Model):
    monthly_return = models.OneToOneField(
        "scorecard.MonthlyReturn", on_delete=models.CASCADE, related_name="staffing"
    )
    fte_in_post = models.DecimalField(
        "qualified social workers in post (FTE)",
        **FTE,
        help_text="At the end of the month, employed by the council (not agency).",
    )
    headcount_in_post = models.DecimalField(
        "qualified social workers in post (headcount)",
        **CASES,
        help_text="The people counted in the FTE in post: each works at most 1 FTE.",
    )
    establishment_fte = models.DecimalField("establishment (FTE)", **FTE)
    vacancies_fte = models.DecimalField("vacancies (FTE)", **FTE)
    agency_fte = models.DecimalField("agency qualified social workers (FTE)", **FTE)
    starters_fte = models.DecimalField("starters in the month (FTE)", **FTE)
    leavers_fte = models.DecimalField("leavers in the month (FTE)", **FTE)
    days_available = models.DecimalField("working days available", **DAYS)
    days_lost = models.DecimalField("working days lost to sickness", **DAYS)
    open_cases = models.DecimalField("open cases held by qualified social workers", **CASES)
    # What the team manager says of the month's staffing ("First Response went from
    # 13 to 27 social workers..."): approved and audited with the figures.
    commentary = models.TextField("staffing commentary", blank=True)

    class Meta:
        verbose_name = "staffing figures"
        verbose_name_plural = "staffing figures"
        constraints = [
            *(_not_negative(name) for name in FIGURE_FIELDS),
            models.CheckConstraint(
                condition=Q(days_lost__isnull=True)
                | Q(days_available__isnull=True)
                | Q(days_lost__lte=F("days_available")),
                name="staffing_days_lost_within_available",
            ),
            models.CheckConstraint(
                condition=Q(leavers_fte__isnull=True)
                | Q(fte_in_post__isnull=True)
                | Q(starters_fte__isnull=True)
                | Q(leavers_fte__lte=F("fte_in_post") + F("starters_fte")),
                name="staffing_leavers_within_headcount_and_starters",
            ),
            models.CheckConstraint(
                condition=Q(fte_in_post__isnull=True)
                | Q(headcount_in_post__isnull=True)
                | Q(fte_in_post__lte=F("headcount_in_post")),
                name="staffing_fte_within_headcount",
            ),
            models.CheckConstraint(
                condition=Q(vacancies_fte__isnull=True)
                | Q(establishment_fte__isnull=True)
                | Q(vacancies_fte__lte=F("establishment_fte")),
                name="staffing_vacancies_within_establishment",
            ),
        ]

    def __str__(self):
        return f"Staffing: {self.monthly_return}"
