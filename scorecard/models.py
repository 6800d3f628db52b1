"""The scorecard's data: what is measured, against what, and the monthly returns.

Invariants live in the database (unique and check constraints) so that no code
path, the admin included, can store what the forms would refuse.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone

from . import limits, periods

# Column sizes come from `limits`, with the entry limits they are derived from.
DECIMAL = limits.ENTERED_VALUE.field
FIGURE = limits.ENTERED_COUNT.field
RESULT_COUNT = limits.RESULT_COUNT.field
RESULT_VALUE = limits.RESULT_VALUE.field


class ServiceAreaQuerySet(models.QuerySet):
    def authority(self):
        """The authority: the one area without a parent (None until it exists).
        The one way of finding it; an area in hand says `is_authority`."""
        return self.filter(parent__isnull=True).first()


class Region(models.TextChoices):
    """England's regions: an authority's regional comparator."""

    NORTH_EAST = "North East", "North East"
    NORTH_WEST = "North West", "North West"
    YORKSHIRE = "Yorkshire and the Humber", "Yorkshire and the Humber"
    EAST_MIDLANDS = "East Midlands", "East Midlands"
    WEST_MIDLANDS = "West Midlands", "West Midlands"
    EAST = "East of England", "East of England"
    LONDON = "London", "London"
    SOUTH_EAST = "South East", "South East"
    SOUTH_WEST = "South West", "South West"


# Two tiers, enforced in PostgreSQL (the engine pools every service area into
# the authority, so an area under a service area would be counted twice).
TWO_TIERS_SQL = """
IF EXISTS (SELECT 1 FROM scorecard_servicearea WHERE id = NEW.parent_id AND parent_id IS NOT NULL)
   OR EXISTS (SELECT 1 FROM scorecard_servicearea WHERE parent_id = NEW.id) THEN
    RAISE EXCEPTION 'Service area % would be a third tier: areas are only under the authority',
        NEW.name USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
"""


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ServiceArea(models.Model):
    """The authority (no parent: exactly one) or one of its service areas (the
    authority as parent). Nothing sits under a service area."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The authority, for a service area. Leave empty only for the authority "
        "itself: there is exactly one, and no service area is under another.",
    )
    region = models.CharField(
        max_length=30,
        choices=Region.choices,
        blank=True,
        help_text="The authority's region of England, its regional comparator. "
        "Service areas have none.",
    )
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ServiceAreaQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        permissions = [("view_all_areas", "Can see every service area's returns and figures")]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="area_not_own_parent"),
            # One row at most where parent is null: a unique index on a constant.
            models.UniqueConstraint(
                Value(True), condition=Q(parent__isnull=True), name="one_authority"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(region=""), name="region_only_for_authority"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="two_tiers",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("parent_id"),
                when=pgtrigger.Before,
                condition=pgtrigger.Q(new__parent__isnull=False),
                func=TWO_TIERS_SQL,
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_authority(self):
        return self.parent_id is None

    def clean(self):
        """The admin's messages for what the constraints and the trigger refuse."""
        others = ServiceArea.objects.exclude(pk=self.pk)
        if self.parent_id is None:
            authority = others.authority()
            if authority is not None:
                raise ValidationError(
                    {
                        "parent": f"There is already an authority, {authority}: choose it as "
                        "the parent. There is exactly one authority."
                    }
                )
            return
        if self.parent.parent_id is not None:
            raise ValidationError(
                {
                    "parent": f"{self.parent} is a service area: a service area must be under "
                    "the authority, not under another service area."
                }
            )
        if self.pk and others.filter(parent_id=self.pk).exists():
            raise ValidationError(
                {
                    "parent": f"{self.name} has service areas under it: it is the authority "
                    "and must stay without a parent."
                }
            )
        if self.region:
            raise ValidationError({"region": "Only the authority has a region."})


# Reference data is audited like the returns: a changed target or tolerance
# changes ratings, so who changed it, when, old and new are kept.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MeasureGroup(models.Model):
    """A heading the scorecard's measures sit under, in the officers' order. The
    standard groups are made by a migration; officers rename, reorder and add."""

    # Measures about staff, not children: their figures are never withheld as
    # small numbers (`disclosure`), and the workforce app's measures sit here.
    WORKFORCE = "workforce"

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Measure(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage"
        RATE_10K = "rate_10k", "Rate per 10,000 children"
        COUNT = "count", "Count"
        DAYS = "days", "Days"
        FTE = "fte", "Full-time equivalent"

    class Polarity(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"
        NONE = "none", "No polarity (context)"

    class Entry(models.TextChoices):
        RATIO = "ratio", "Numerator and denominator"
        COUNT = "count", "A count"
        VALUE = "value", "A value"

    class Tolerance(models.TextChoices):
        POINTS = "points", "Absolute points"
        RELATIVE = "relative", "Relative per cent of the target"

    class Level(models.TextChoices):
        AREA = "area", "Service area"
        AUTHORITY = "authority", "Authority"

    class Frequency(models.TextChoices):
        MONTHLY = periods.MONTHLY, "Monthly"
        QUARTERLY = periods.QUARTERLY, "Quarterly (June, September, December, March)"
        ANNUAL = periods.ANNUAL, "Annual (March)"

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200, unique=True)
    definition = models.TextField(blank=True)
    numerator_label = models.CharField(max_length=200, blank=True)
    denominator_label = models.CharField(max_length=200, blank=True)
    # The group's code is what is stored (and in a URL's ?group=): the column
    # keeps its name and values from when groups were a fixed list.
    group = models.ForeignKey(
        MeasureGroup,
        on_delete=models.PROTECT,
        to_field="code",
        db_column="group",
        related_name="measures",
    )
    unit = models.CharField(max_length=10, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    entry = models.CharField(max_length=10, choices=Entry.choices)
    decimal_places = models.PositiveSmallIntegerField(default=1)
    tolerance = models.DecimalField(max_digits=8, decimal_places=2, default=5)
    tolerance_kind = models.CharField(
        max_length=10, choices=Tolerance.choices, default=Tolerance.POINTS
    )
    green_band = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text="A shortfall up to this (in the tolerance's kind) still counts as meeting the "
        'target ("in line with target"); 0 rates only a met target Green.',
    )
    min_denominator = models.PositiveSmallIntegerField(
        default=5,
        help_text="Below this many children (the denominator) a percentage is shown but not "
        "rated: too few to rate.",
    )
    change_threshold_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=25,
        help_text="A change from the previous month beyond this (relative %) needs a commentary.",
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.AREA)
    frequency = models.CharField(
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
        help_text="How often a figure is due. Between a quarterly measure's quarter ends "
        "(or before an annual one's March) the figure is not due, not missing.",
    )
    year_to_date = models.BooleanField(
        "figures are year to date",
        default=False,
        help_text="Each figure is cumulative from April: it is shown as 'year to date' and never "
        "summed or averaged across months.",
    )
    reporting_areas = models.ManyToManyField(
        ServiceArea,
        blank=True,
        related_name="reported_measures",
        help_text="The service areas that report this measure; none means every active area.",
    )
    aliases = models.TextField(
        blank=True, help_text="Other titles this measure goes by in spreadsheets, one per line."
    )
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the definition comes from: the statutory return or guidance.",
    )
    spc_baseline_start = models.DateField(
        "process limits from",
        null=True,
        blank=True,
        help_text="After a known change in the process (a new threshold from April), the "
        "statistical process control limits are worked out from this month's figure on; "
        "empty: from the first figure held.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_headline = models.BooleanField("headline success measure", default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["group__order", "order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decimal_places__lte=limits.VALUE_PLACES),
                name="measure_decimal_places_at_most_4",
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="measure_tolerance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(green_band__gte=0), name="measure_green_band_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(change_threshold_percent__gte=0),
                name="measure_change_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(entry="ratio") | Q(unit="percent"),
                name="measure_ratio_is_percent",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def has_polarity(self):
        return self.polarity != self.Polarity.NONE


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Target(models.Model):
    class Kind(models.TextChoices):
        IN_YEAR = "in_year", "In-year target"
        LONG_TERM = "long_term", "Long-term target"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.DecimalField(**DECIMAL)
    starts = models.DateField(help_text="First month the target is in force.")
    due = models.DateField(
        null=True, blank=True, help_text="When a long-term target is to be reached, e.g. Jan 2016."
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown beside the target wherever it appears, e.g. 'Illustrative: the "
        "reference gives no target'.",
    )

    class Meta:
        ordering = ["measure", "kind", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "kind", "starts"], name="target_unique"),
            models.CheckConstraint(condition=Q(starts__day=1), name="target_starts_first_of_month"),
            models.CheckConstraint(
                condition=~Q(kind="long_term") | Q(due__isnull=False),
                name="target_long_term_has_due_date",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.get_kind_display()} {self.value} from {self.starts:%b %Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Baseline(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="baselines")
    value = models.DecimalField(**DECIMAL)
    date = models.DateField()
    label = models.CharField(max_length=120, help_text="e.g. 'Ofsted baseline June 2014'")

    class Meta:
        ordering = ["measure", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "date"], name="baseline_unique"),
        ]

    def __str__(self):
        return f"{self.measure}: {self.label} {self.value}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Benchmark(models.Model):
    class Comparator(models.TextChoices):
        STAT_NEIGHBOURS = "stat_neighbours", "Statistical neighbours"
        REGION = "region", "Region"
        ENGLAND = "england", "England"

    class PeriodKind(models.TextChoices):
        MONTH = periods.MONTH, "Month"
        QUARTER = periods.QUARTER, "Quarter of a financial year"
        FINANCIAL_YEAR = periods.FINANCIAL_YEAR, "Financial year (April to March)"
        CALENDAR_YEAR = periods.CALENDAR_YEAR, "Calendar year"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="benchmarks")
    comparator = models.CharField(max_length=20, choices=Comparator.choices)
    # The period the figure describes (`periods.Period`): its kind and first month.
    # It is compared with the months of that period and after, until a later one's.
    period_kind = models.CharField(max_length=15, choices=PeriodKind.choices)
    period_start = models.DateField(help_text="The first day of the period's first month.")
    value = models.DecimalField(**DECIMAL)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["measure", "comparator", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "comparator", "period_kind", "period_start"],
                name="benchmark_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_start__year__gte=1990, period_start__year__lte=2100),
                name="benchmark_period_plausible",
            ),
            models.CheckConstraint(
                condition=Q(period_start__day=1), name="benchmark_period_starts_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(period_kind=periods.MONTH)
                | Q(period_kind=periods.QUARTER, period_start__month__in=[1, 4, 7, 10])
                | Q(period_kind=periods.FINANCIAL_YEAR, period_start__month=4)
                | Q(period_kind=periods.CALENDAR_YEAR, period_start__month=1),
                name="benchmark_period_starts_where_its_kind_does",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.get_comparator_display()} {self.period} {self.value}"

    @property
    def period(self) -> periods.Period | None:
        if not self.period_kind or self.period_start is None:
            return None
        return periods.Period(self.period_start, self.period_kind)

    @period.setter
    def period(self, period: "periods.Period | str") -> None:
        """A Period, or its text as `periods.parse_period` reads it ('2020-21')."""
        if isinstance(period, str):
            period = periods.parse_period(period)
        self.period_kind, self.period_start = period.kind, period.starts


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Population(models.Model):
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    children_0_17 = models.PositiveIntegerField("children aged 0-17")
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the figure comes from (e.g. ONS mid-year estimate), and how it was "
        "estimated if it is an estimate.",
    )

    class Meta:
        ordering = ["area", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="population_unique"),
            models.CheckConstraint(condition=Q(children_0_17__gt=0), name="population_positive"),
        ]

    def __str__(self):
        return f"{self.area} {self.year}: {self.children_0_17}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TeamMembership(models.Model):
    """Ties a team manager to a service area they manage."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "area"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} manages {self.area}"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
)
class MonthlyReturn(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="returns")
    month = models.DateField(help_text="The first day of the month the figures describe.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    # Which round of approval the figures are in: each approval ends one. Who shaped
    # the figures of the current round (ReturnContribution) may not approve them.
    cycle = models.PositiveIntegerField(default=1)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where imported figures came from (a file name)."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was last returned or reopened.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "area__order"]
        permissions = [
            ("submit_monthlyreturn", "Can submit a monthly return"),
            ("approve_monthlyreturn", "Can approve, return or reopen a monthly return"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="return_one_per_area_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="return_month_first_day"),
            # Four eyes: whoever approves a return did not submit it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(submitted_by__isnull=True)
                | ~Q(approved_by=F("submitted_by")),
                name="return_approver_not_submitter",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="return_approved_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.area} {self.month:%B %Y}"

    @property
    def is_locked(self):
        return self.status == self.Status.APPROVED


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ReturnValue(models.Model):
    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.CASCADE, related_name="values"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="return_values")
    numerator = models.DecimalField(null=True, blank=True, **FIGURE)
    denominator = models.DecimalField(null=True, blank=True, **FIGURE)
    value = models.DecimalField(null=True, blank=True, **DECIMAL)
    not_applicable_reason = models.CharField(max_length=200, blank=True)
    commentary = models.TextField(blank=True)

    class Meta:
        ordering = ["measure__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["monthly_return", "measure"], name="value_one_per_return_measure"
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="value_numerator_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="value_denominator_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=F("denominator")),
                name="value_numerator_within_denominator",
            ),
        ]

    def __str__(self):
        return f"{self.monthly_return}: {self.measure}"


class ReturnContribution(models.Model):
    """Someone entered or changed a figure or commentary of a return in one round
    of approval (`cycle`): they shaped it, so someone else must approve it."""

    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.CASCADE, related_name="contributions"
    )
    cycle = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=100, help_text="The measure's code or the staffing field.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monthly_return", "cycle", "user", "item"], name="contribution_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} shaped {self.item} of {self.monthly_return}"


class CalculationRun(models.Model):
    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # The process running it stopped (killed, restarted) before it finished.
        ABANDONED = "abandoned", "Abandoned"

    trigger = models.CharField(max_length=80)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(blank=True)
    # Data-quality findings of the run (e.g. a missing child population): a list of
    # sentences for officers.
    findings = models.JSONField(default=list, blank=True)
    # Written every few seconds, on its own connection, while the run is alive.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.trigger} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class Rating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NONE = "none", "No rating"


class ResultFigures(models.Model):
    """What the engine works out for one measure, area and month: the fields of a
    stored result (`ScorecardResult`) and of a result staged by one part of a run
    (`StagedResult`)."""

    month = models.DateField()
    numerator = models.DecimalField(null=True, blank=True, **RESULT_COUNT)
    denominator = models.DecimalField(null=True, blank=True, **RESULT_COUNT)
    value = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    not_applicable = models.BooleanField(default=False)
    target = models.DecimalField(null=True, blank=True, **limits.RESULT_TARGET.field)
    rating = models.CharField(max_length=5, choices=Rating.choices, default=Rating.NONE)
    against_last_month = models.CharField(max_length=10, blank=True)
    against_last_year = models.CharField(max_length=10, blank=True)
    year_to_date = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    rolling_12_months = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    benchmark_comparison = models.JSONField(default=dict, blank=True)
    provisional = models.BooleanField(default=False)
    # False in a month the measure's frequency expects no figure in (between a
    # quarterly measure's quarter ends): shown as 'not due', never as missing.
    due = models.BooleanField(default=True)
    # Why there is no figure or no rating ("no child population for 2015", "too few
    # to rate: 3 children"); empty when there is nothing to explain.
    note = models.CharField(max_length=200, blank=True)
    # Small numbers (disclosure): withheld with everything derived from it.
    suppressed = models.BooleanField(default=False)
    # Revised since published: what the board was shown, and who changed it since.
    published_value = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    published_rating = models.CharField(max_length=5, blank=True)
    revised = models.BooleanField(default=False)
    revision = models.JSONField(default=dict, blank=True)
    returns_expected = models.PositiveSmallIntegerField(default=0)
    returns_approved = models.PositiveSmallIntegerField(default=0)
    # Periods in a row, up to this one, at this rating (0 without one): "Red for 4 months".
    rating_months = models.PositiveSmallIntegerField(default=0)
    # Statistical process control (`spc`) as at this month: the XmR chart of the
    # shown figures from the measure's baseline to this month. Empty, with
    # `spc_note` saying why, where there is none (fewer than 12 points, withheld).
    spc_mean = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    spc_upper = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    spc_lower = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    spc_points = models.PositiveSmallIntegerField(default=0)
    spc_variation = models.CharField(max_length=60, blank=True)  # spc.COMMON_CAUSE...
    spc_assurance = models.CharField(max_length=80, blank=True)  # spc.HIT_AND_MISS...
    spc_signals = models.JSONField(default=list, blank=True)  # this month's rules, spc.RUN...
    spc_note = models.CharField(max_length=120, blank=True)
    # The chart's running state at the month (`spc.Running.stored`), that a run
    # for changed returns goes on from instead of reading every earlier month.
    spc_state = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class ScorecardResult(ResultFigures):
    """One measure, area and month as the engine computed it from approved returns.

    Written only by the engine, in bulk; pages read these rows and nothing else.
    """

    run = models.ForeignKey(CalculationRun, on_delete=models.PROTECT, related_name="results")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="results")
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="results")

    class Meta:
        ordering = ["measure__order", "area__order", "month"]
        permissions = [
            ("view_scorecard", "Can read the scorecards"),
            ("import_scorecard", "Can import scorecard spreadsheets"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["measure", "area", "month"], name="result_unique"),
        ]
        indexes = [
            models.Index(fields=["month", "area"]),
            # the few withheld, read by a run for changed returns
            models.Index(
                fields=["month"], condition=Q(suppressed=True), name="result_suppressed_month"
            ),
        ]

    def __str__(self):
        return f"{self.measure} {self.area} {self.month:%b %Y}: {self.value}"


class CalculationPart(models.Model):
    """One financial year of a full run split into parts (`engine.in_parts`):
    taken up by whichever worker is free, its results staged until every part
    is done and the run puts them in place at once."""

    run = models.ForeignKey(CalculationRun, on_delete=models.CASCADE, related_name="parts")
    first_month = models.DateField()
    last_month = models.DateField()
    done = models.BooleanField(default=False)
    done_by = models.CharField(max_length=200, blank=True)  # host and process
    rows_written = models.PositiveIntegerField(default=0)
    # [[area name, year, [measure titles]]]: the child populations it found missing
    missing_populations = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["first_month"]

    def __str__(self):
        return f"run {self.run_id} {self.first_month:%b %Y} to {self.last_month:%b %Y}"


class StagedResult(ResultFigures):
    """A result worked out by one part of a run, not yet shown to anyone.

    A scratch table: unlogged (emptied if PostgreSQL crashes, when the run it
    belonged to is abandoned anyway) and without foreign keys in the database,
    whose checks the rows meet when they are put in place as ScorecardResults."""

    run = models.ForeignKey(
        CalculationRun, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    area = models.ForeignKey(
        ServiceArea, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )

    class Meta:
        indexes = [models.Index(fields=["run"])]

    def __str__(self):
        return f"run {self.run_id}: {self.measure_id} {self.area_id} {self.month:%b %Y}"


class Publication(models.Model):
    """A month's scorecard as first shown final to directors: the first successful
    calculation in which none of the month's figures was provisional. Its figures
    are kept (PublishedFigure) so that a later change shows as a revision."""

    month = models.DateField(unique=True)
    run = models.ForeignKey(CalculationRun, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%B %Y} published {self.published_at:%Y-%m-%d %H:%M}"


class PublishedFigure(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="figures")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(null=True, blank=True, **RESULT_VALUE)
    rating = models.CharField(max_length=5, choices=Rating.choices, default=Rating.NONE)
    not_applicable = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "measure", "area"], name="published_figure_unique"
            ),
        ]

    def __str__(self):
        return f"{self.measure} {self.area}: {self.value} as published"


class ImportChangeSet(models.Model):
    """An import waiting for a second performance officer (maker-checker): the
    file as uploaded and the preview its maker confirmed. Written only when
    another officer approves it, if the stored figures have not changed since."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPLIED = "applied", "Approved and imported"
        REJECTED = "rejected", "Rejected"

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    fingerprint = models.CharField(max_length=64)
    preview = models.JSONField(default=list, help_text="The writes as previewed: old and new.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was rejected.")

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True)
                | ~Q(reviewed_by=F("proposed_by"))
                | Q(status="rejected"),
                name="change_set_approver_not_maker",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


class RecalculationRequest(models.Model):
    """The outbox: a recalculation asked for, written in the same transaction as the
    approval (or import, or change of reference data) that needs it.

    At most one request for everything waits at a time, and one per return
    changed (database constraints): a run reads every change committed before it
    starts, so one waiting request covers them all. A request
    is done when a run that started after it succeeded, or failed in a way a retry
    cannot mend.
    """

    trigger = models.CharField(max_length=80)
    requested_at = models.DateTimeField(default=timezone.now)
    # A return approved or reopened: only the results that depend on its area's
    # month need recalculating. Both empty: everything (the nightly run, a changed
    # target, an import).
    area = models.ForeignKey(
        "ServiceArea", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(null=True, blank=True)
    # True while no run has taken it up; NULL afterwards (the constraint ignores NULLs).
    waiting = models.BooleanField(null=True, default=True)
    run = models.ForeignKey(
        CalculationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["waiting"],
                condition=Q(waiting=True, month__isnull=True),
                name="one_recalculation_waiting",
            ),
            models.UniqueConstraint(
                fields=["area", "month"],
                condition=Q(waiting=True, month__isnull=False),
                name="one_change_waiting_per_return",
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=True, month__isnull=True)
                | Q(area__isnull=False, month__isnull=False),
                name="a_change_names_area_and_month",
            ),
        ]

    def __str__(self):
        return f"{self.trigger} at {self.requested_at:%Y-%m-%d %H:%M}"


class Heartbeat(models.Model):
    """When a background part last showed it was alive (the worker's minute tick)."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"


# Accounts and the groups (roles) they hold are audited like the figures: who was
# given which role, when, by whom. The password hash and the last sign-in are left
# out: a hash does not belong in a table many can read, and sign-ins are in the
# security log. Tracked through proxies, so that the triggers on Django's own
# tables live in this app's migrations. (A user's group is given or taken away,
# never updated.)
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["password", "last_login"],
    model_name="UserEvent",
)
class AuditedUser(User):
    class Meta:
        proxy = True


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent(), model_name="UserGroupsEvent")
class AuditedUserGroup(User.groups.through):
    class Meta:
        proxy = True


UserEvent = AuditedUser.pgh_event_model
UserGroupsEvent = AuditedUserGroup.pgh_event_model
