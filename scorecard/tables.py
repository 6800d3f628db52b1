"""django-tables2 tables. Every column that renders markup also defines the plain
value that CSV and XLSX exports carry."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from . import charts, formatting, periods
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


def _cell_markup(result, measure) -> str:
    """A result in a table cell: the figure, its n, and the provisional mark."""
    text = formatting.result_text(result, measure)
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
            formatting.number(benchmark.value, record.measure.decimal_places),
            benchmark.period,
        )

    def value(self, record):
        benchmark = record.benchmarks.get(self.comparator)
        if benchmark is None:
            return ""
        value = formatting.number(benchmark.value, record.measure.decimal_places)
        return f"{value} ({benchmark.period})"


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

    class Meta(BaseTable.Meta):
        pass  # the column order is set per scorecard in __init__ (its months vary)

    def __init__(self, scorecard: Scorecard, **kwargs):
        extra = [(f"m{i:02d}", MonthColumn(i, month)) for i, month in enumerate(scorecard.months)]
        extra += [
            (comparator, BenchmarkColumn(comparator, label)) for comparator, label in comparators()
        ]
        super().__init__(scorecard.rows, extra_columns=extra, **kwargs)
        months_seq = [name for name, _ in extra]
        # What a director reads first comes first; the reference layout's months and
        # benchmarks follow.
        self.sequence = [
            "measure",
            "outturn",
            "target",
            "rag",
            "direction",
            "provisional",
            "baseline",
            *months_seq,
            "long_term_target",
            "published",
            "revised",
            "trend",
        ]
        self.scorecard = scorecard
        self.group_accessor = "group_label"
        self.caption = f"{scorecard.area}: scorecard as at {scorecard.month:%B %Y}"

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
            formatting.number(record.baseline.value, 0),
        )

    def value_baseline(self, record):
        return "" if record.baseline is None else formatting.number(record.baseline.value, 0)

    def render_outturn(self, record):
        text = formatting.result_text(record.current, record.measure)
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
        text = self.value_target(record)
        if text and record.target_note:
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

    def render_long_term_target(self, record):
        target = record.long_term_target
        if target is None:
            return ""
        return f"{formatting.number(target.value, 0)} by {target.due:%b %Y}"

    value_long_term_target = render_long_term_target

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
