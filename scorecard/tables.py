"""django-tables2 tables. Every column that renders markup also defines the plain
value that CSV and XLSX exports carry."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import charts, disclosure, formatting, periods
from .models import Measure
from .reports import Scorecard, comparators


class BaseTable(tables.Table):
    """Shared attributes: GOV.UK table classes and a caption for screen readers."""

    class Meta:
        template_name = "tables/govuk_table.html"
        attrs = {"class": "govuk-table scorecard-table"}
        orderable = True


def direction_markup(direction: str) -> str:
    if not direction:
        return ""
    return format_html(
        '<span aria-hidden="true">{}</span> {}',
        formatting.DIRECTION_ARROWS[direction],
        formatting.DIRECTION_WORDS[direction],
    )


def _value_markup(value, measure, places=None) -> str:
    """A figure in a cell with its unit ('31.0%', '29.1 per 10,000', the words
    of a rate under its number so that the column stays narrow)."""
    if value is None:
        return ""
    text = formatting.number(value, measure.decimal_places if places is None else places)
    unit = formatting.CELL_SUFFIX.get(measure.unit, "")
    if measure.unit == Measure.Unit.RATE_10K:
        return format_html('{}<span class="app-unit">{}</span>', text, unit)
    return text + unit


def _figure_markup(result, measure) -> str:
    """A result's figure with its unit (`_value_markup`); 'c', 'n/a', 'not due'
    or why there is none as `formatting.result_text` says."""
    text = formatting.result_text(result, measure)
    if not text or text != formatting.number(result.value, measure.decimal_places):
        return text
    return _value_markup(result.value, measure)


def _cell_markup(result, measure) -> str:
    """A result in a table cell: the figure, its n, and the provisional mark."""
    text = _figure_markup(result, measure)
    if not text:
        return ""
    n = formatting.denominator_text(result, measure)
    markup = format_html('{} <span class="app-n">{}</span>', text, n) if n else text
    markup = format_html("{}{}", markup, formatting.revision_markup(result, measure))
    return format_html("{}{}", markup, formatting.provisional_markup(result))


class MonthColumn(tables.Column):
    def __init__(self, index, month, **kwargs):
        self.index = index
        super().__init__(verbose_name=f"{month:%b %Y}", empty_values=(), orderable=False, **kwargs)

    def render(self, record):
        return _cell_markup(record.months[self.index][1], record.measure)

    def value(self, record):
        result = record.months[self.index][1]
        if result is not None and not result.due:
            return ""  # a blank month, as the importer reads the export back
        return formatting.result_text(result, record.measure)


class BenchmarkColumn(tables.Column):
    def __init__(self, comparator, label, **kwargs):
        self.comparator = comparator
        super().__init__(verbose_name=label, empty_values=(), orderable=False, **kwargs)

    def render(self, record):
        benchmark = record.benchmarks.get(self.comparator)
        if benchmark is None:
            return ""
        return format_html(
            '{} <span class="benchmark-year">({})</span>',
            _value_markup(benchmark.value, record.measure),
            benchmark.period,
        )

    def value(self, record):
        benchmark = record.benchmarks.get(self.comparator)
        if benchmark is None:
            return ""
        value = formatting.number(benchmark.value, record.measure.decimal_places)
        return f"{value} ({benchmark.period})"


# What fits a 1366 px screen, always shown: the measure, the latest months, the
# benchmarks, outturn, target, RAG, SPC and direction. The rest is a choice.
LATEST_MONTHS = 3
# (name, label, shown unless chosen otherwise): the columns a reader may add
# or take away, in the order the choice lists them
CHOICES = [
    ("earlier_months", "Earlier and later months of the year", False),
    ("baseline", "Baseline", False),
    ("long_term_target", "Long-term target", False),
    ("trajectory", "Trajectory to the long-term target", False),
    ("rating_months", "Periods at this rating", False),
    ("year_to_date", "Financial year to date", False),
    ("rolling_12_months", "Rolling 12 months", False),
    ("last_year", "Same month last year", False),
    ("commentary", "Commentary", True),
    ("provisional", "Provisional", False),
    ("revised", "Revised since published", False),
    ("trend", "Last 12 months (chart)", False),
]
CHOICE_NAMES = [name for name, _, _ in CHOICES]
DEFAULT_CHOICE = frozenset(name for name, _, shown in CHOICES if shown)


class ScorecardTable(BaseTable):
    measure = tables.Column(
        accessor="measure__title",
        verbose_name="Measure",
        order_by=("measure__order",),
        attrs={"th": {"scope": "row"}},
    )
    baseline = tables.Column(
        accessor="baseline__value", verbose_name="Baseline", empty_values=(), orderable=False
    )
    outturn = tables.Column(accessor="current__value", verbose_name="Outturn", empty_values=())
    target = tables.Column(accessor="current__target", verbose_name="Target", empty_values=())
    rag = tables.Column(
        accessor="current__rating", verbose_name="RAG", empty_values=(), order_by=("rating_rank",)
    )
    spc = tables.Column(verbose_name="SPC", empty_values=(), orderable=False)
    long_term_target = tables.Column(
        accessor="long_term_target__value",
        verbose_name="Long-term target",
        empty_values=(),
        orderable=False,
    )
    direction = tables.Column(
        accessor="current__against_last_month",
        verbose_name="Since last month",
        empty_values=(),
        orderable=False,
    )
    rating_months = tables.Column(verbose_name="At this rating", empty_values=(), orderable=False)
    trajectory = tables.Column(
        verbose_name="Trajectory to the long-term target", empty_values=(), orderable=False
    )
    year_to_date = tables.Column(verbose_name="Year to date", empty_values=(), orderable=False)
    rolling_12_months = tables.Column(
        verbose_name="Rolling 12 months", empty_values=(), orderable=False
    )
    last_year = tables.Column(verbose_name="Same month last year", empty_values=(), orderable=False)
    provisional = tables.Column(
        accessor="current__provisional",
        verbose_name="Provisional",
        empty_values=(),
        orderable=False,
    )
    trend = tables.Column(
        verbose_name="Last 12 months", empty_values=(), orderable=False, exclude_from_export=True
    )
    revised = tables.Column(
        accessor="current__revised",
        verbose_name="Revised since published",
        empty_values=(),
        orderable=False,
    )
    published = tables.Column(
        accessor="current__published_value",
        verbose_name="Published value",
        empty_values=(),
        orderable=False,
        visible=False,
    )
    commentary = tables.Column(verbose_name="Commentary", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        pass  # the column order is set per scorecard in __init__ (its months vary)

    def __init__(self, scorecard: Scorecard, *, commentary=None, columns=None, **kwargs):
        """`commentary`: `reports.latest_commentary` for the scorecard's measures
        (none: no commentary column); `columns`: the CHOICES shown (None: every
        column, as the exports carry them)."""
        month_names = [f"m{i:02d}" for i in range(len(scorecard.months))]
        extra = [
            (name, MonthColumn(i, m))
            for i, (name, m) in enumerate(zip(month_names, scorecard.months, strict=True))
        ]
        extra += [
            (comparator, BenchmarkColumn(comparator, label)) for comparator, label in comparators()
        ]
        if commentary is None:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "commentary")
        super().__init__(scorecard.rows, extra_columns=extra, **kwargs)
        # The reference scorecard's order: baseline, the months, the benchmarks,
        # outturn, target, RAG (with SPC and direction beside it), long-term
        # target; then what the reference does not have.
        self.sequence = [
            "measure",
            "baseline",
            *month_names,
            *[comparator for comparator, _ in comparators()],
            "outturn",
            "target",
            "rag",
            "spc",
            "direction",
            "rating_months",
            "long_term_target",
            "trajectory",
            "year_to_date",
            "rolling_12_months",
            "last_year",
            "provisional",
            "published",
            "revised",
            "trend",
            "commentary",
        ]
        self.scorecard = scorecard
        self.commentary = commentary
        if columns is not None:
            self.choose(columns, month_names)
        self.group_accessor = "group_label"
        self.caption = f"{scorecard.area}: scorecard as at {scorecard.month:%B %Y}"

    def choose(self, columns, month_names):
        """Hide what is not chosen: of the months, all but the latest LATEST_MONTHS
        up to the month unless 'earlier_months' is chosen."""
        latest = [
            name
            for name, month in zip(month_names, self.scorecard.months, strict=True)
            if month <= self.scorecard.month
        ][-LATEST_MONTHS:]
        hidden = [name for name in CHOICE_NAMES if name not in columns]
        if "earlier_months" not in columns:
            hidden += [name for name in month_names if name not in latest]
        for name in hidden:
            if name in self.columns.columns:
                self.columns.hide(name)

    def render_measure(self, record):
        url = reverse("measure-detail", args=[record.measure.code])
        query = urlencode(
            {"area": self.scorecard.area.pk, "month": self.scorecard.month.isoformat()[:7]}
        )
        return format_html(
            '<a class="govuk-link" href="{}?{}">{}</a>', url, query, record.measure.title
        )

    def value_measure(self, record):
        return record.measure.title

    def render_trend(self, record):
        return charts.sparkline(
            [
                (month, result.value if result and not result.suppressed else None)
                for month, result in record.trend
            ],
            record.measure,
        )

    def render_baseline(self, record):
        if record.baseline is None:
            return ""
        return format_html(
            '<span title="{}">{}</span>',
            record.baseline.label,
            _value_markup(record.baseline.value, record.measure, places=0),
        )

    def value_baseline(self, record):
        return "" if record.baseline is None else formatting.number(record.baseline.value, 0)

    def render_outturn(self, record):
        text = _figure_markup(record.current, record.measure)
        if not text:
            return ""
        n = formatting.denominator_text(record.current, record.measure)
        markup = format_html('{} <span class="app-n">{}</span>', text, n) if n else text
        markup = format_html(
            "{}{}", markup, formatting.revision_markup(record.current, record.measure)
        )
        note = formatting.period_note(record.measure, record.current_period)
        if note:
            markup = format_html('{} <span class="app-period">{}</span>', markup, note)
        if record.current.provisional:
            return format_html(
                '{} <strong class="govuk-tag govuk-tag--grey">Provisional</strong>', markup
            )
        return markup

    def value_outturn(self, record):
        return formatting.result_text(record.current, record.measure)

    def render_target(self, record):
        if record.current is None or record.current.target is None:
            return ""
        text = _value_markup(record.current.target, record.measure)
        if record.target_note:
            return format_html(
                '{} <span class="app-target-note">({})</span>', text, record.target_note
            )
        return text

    def value_target(self, record):
        if record.current is None or record.current.target is None:
            return ""
        return formatting.number(record.current.target, record.measure.decimal_places)

    def render_rag(self, record):
        return formatting.rating_markup(record.current, record.measure)

    def value_rag(self, record):
        return formatting.rating_text(record.current, record.measure)

    def render_spc(self, record):
        return formatting.spc_markup(record.current)

    def value_spc(self, record):
        return formatting.spc_words(record.current)

    def render_long_term_target(self, record):
        target = record.long_term_target
        if target is None:
            return ""
        return format_html(
            "{} by {}", _value_markup(target.value, record.measure, places=0), f"{target.due:%b %Y}"
        )

    def value_long_term_target(self, record):
        target = record.long_term_target
        if target is None:
            return ""
        return f"{formatting.number(target.value, 0)} by {target.due:%b %Y}"

    def render_direction(self, record):
        markup = direction_markup(record.current.against_last_month if record.current else "")
        if markup and record.measure.frequency != periods.MONTHLY:
            return format_html(
                '{} <span class="app-period">(on {})</span>',
                markup,
                periods.last_period_words(record.measure.frequency),
            )
        return markup

    def value_direction(self, record):
        return record.direction_word

    def value_rating_months(self, record):
        return formatting.rating_months_text(record.current, record.measure)

    render_rating_months = value_rating_months

    def value_trajectory(self, record):
        found = record.comparisons
        if found.withheld:
            return disclosure.SUPPRESSED
        return formatting.trajectory_text(found.trajectory, record.measure, found.long_term_target)

    render_trajectory = value_trajectory

    def value_year_to_date(self, record):
        found = record.comparisons
        return formatting.total_text(
            found.year_to_date, found.year_to_date_withheld, record.measure
        )

    def render_year_to_date(self, record):
        return self.total_markup(self.value_year_to_date(record), record)

    def value_rolling_12_months(self, record):
        found = record.comparisons
        return formatting.total_text(
            found.rolling_12_months, found.rolling_withheld, record.measure
        )

    def render_rolling_12_months(self, record):
        return self.total_markup(self.value_rolling_12_months(record), record)

    @staticmethod
    def total_markup(text, record):
        """A total, or a dash that says why there is none."""
        if text or record.current is None:
            return text
        return format_html(
            '<span class="app-none">–<span class="govuk-visually-hidden"> {}</span></span>',
            formatting.total_missing(record.measure, record.current),
        )

    def render_last_year(self, record):
        last_year = record.comparisons.last_year
        text = _figure_markup(last_year, record.measure)
        if not text:
            return ""
        return format_html(
            '{} <span class="app-period">{}</span>', text, f"{last_year.month:%b %Y}"
        )

    def value_last_year(self, record):
        return formatting.result_text(record.comparisons.last_year, record.measure)

    def render_revised(self, record):
        current = record.current
        if current is None or not current.revised or current.suppressed:
            return "No"
        return format_html(
            '<span class="app-revision">{}</span>',
            formatting.revision_summary(current, record.measure),
        )

    def value_revised(self, record):
        current = record.current
        return "Yes" if current and current.revised and not current.suppressed else "No"

    def value_published(self, record):
        current = record.current
        if current is None or current.suppressed:
            return ""
        return formatting.published_text(current, record.measure)

    def render_provisional(self, record):
        return "Yes" if record.current and record.current.provisional else "No"

    value_provisional = render_provisional

    def render_commentary(self, record):
        said = self.commentary.get(record.measure.pk) if self.commentary else None
        if not said:
            return ""
        paragraphs = format_html_join(
            "",
            '<p class="govuk-body-s"><strong>{}, {}:</strong> {}</p>',
            ((f"{month:%B %Y}", area_name, linebreaksbr(text)) for month, area_name, text in said),
        )
        # Collapsed on the screen; the print-only copy is what a board paper shows
        # (a closed <details> prints closed, whatever its children's CSS says).
        return format_html(
            '<details class="govuk-details app-commentary-details">'
            '<summary class="govuk-details__summary">'
            '<span class="govuk-details__summary-text">Commentary'
            '<span class="govuk-visually-hidden"> on {}</span></span></summary>'
            '<div class="govuk-details__text">{}</div></details>'
            '<div class="app-print-only app-commentary-print">{}</div>',
            record.measure.title,
            paragraphs,
            paragraphs,
        )

    def value_commentary(self, record):
        said = self.commentary.get(record.measure.pk) if self.commentary else None
        return " | ".join(
            f"{month:%B %Y}, {area_name}: {text}" for month, area_name, text in said or ()
        )
