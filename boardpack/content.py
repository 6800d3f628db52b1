"""What a board pack holds, read from stored results through the functions the
pages use (scorecard.reports, workforce.reports): a fixed number of queries
whatever the number of measures, areas and months."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.staticfiles import finders

from scorecard import aggregation, concern, engine, formatting, reports, selectors, tables, views
from scorecard.models import CalculationRun, ScorecardResult, ServiceArea
from scorecard.tables import ScorecardTable
from workforce import measures as workforce_measures
from workforce import reports as workforce_reports
from workforce.tables import WorkforceTable

from .models import BoardPack
from .rendering import with_style


@dataclass
class ScorecardLine:
    row: object  # the table's BoundRow: its cells as the scorecard shows them
    record: reports.ScorecardRow
    commentary: list  # [(month, area name, text)], `reports.latest_commentary`'s


@dataclass
class ExceptionPage:
    """One exception's page: its figure, why it is an exception, its chart, SPC,
    commentary and revisions."""

    measure: object
    area: ServiceArea
    result: object  # ScorecardResult
    reasons: str
    spc: str
    chart: str
    commentary: list  # [(month, area name, text)]
    revisions: list  # [(month, ScorecardResult)] revised since published, newest first
    figures: list  # [(month, ScorecardResult | None)] the last 12 months due, the chart's table


@dataclass
class PackContent:
    pack: BoardPack
    authority: ServiceArea | None
    area: ServiceArea
    month: date
    run: CalculationRun
    status: reports.MonthStatus
    marking: str
    summary: reports.Summary
    table: ScorecardTable
    lines: list[ScorecardLine]
    small_numbers_note: str
    workforce: workforce_reports.WorkforcePage | None
    workforce_table: WorkforceTable | None
    exceptions: list = field(default_factory=list)  # [concern.Concern], most concerning first
    exception_pages: list = field(default_factory=list)  # [ExceptionPage], one for each

    @property
    def sickness_measure(self):
        return self.workforce.measures.get(workforce_measures.SICKNESS) if self.workforce else None

    @property
    def provisional(self) -> bool:
        return not self.status.final or self.summary.provisional

    @property
    def status_words(self) -> str:
        """Provisional or final in a few words: the cover's, and every page's head."""
        if not self.provisional:
            return "Final"
        if not self.status.expected:
            return "Provisional: no returns for the month yet"
        if self.status.final:  # every return approved, yet a figure waits (a quarter's)
            return "Provisional: some figures wait for returns not yet approved"
        return self.status.banner


class NothingCalculated(Exception):
    """No calculation has succeeded yet: there are no figures to print."""


def gather(pack: BoardPack) -> PackContent:
    run = engine.latest_successful_run()
    if run is None:
        raise NothingCalculated("Nothing has been calculated yet: there are no figures to print.")
    user, area, month = pack.requested_by, pack.area, pack.month
    visible_areas = selectors.scorecard_areas_for_user(user).order_by("order")
    summary = reports.build_summary(area=area, month=month, visible_areas=visible_areas)
    scorecard = reports.build_scorecard(area=area, month=month)
    # the columns the scorecard fits on a 1366 px screen (its `?columns=fit`): the
    # others wrap into tall narrow cells on A4, and are in the spreadsheet export;
    # the commentary is printed in full under each measure instead of a column
    table = ScorecardTable(scorecard, columns=tables.DEFAULT_CHOICE)
    commentary = {item.measure.pk: item.commentary for _, items in summary.groups for item in items}
    lines = [
        ScorecardLine(row, row.record, commentary.get(row.record.measure.pk, []))
        for row in table.rows
    ]
    workforce_months = workforce_reports.workforce_months()
    workforce = workforce_table = None
    if month in workforce_months:
        workforce = workforce_reports.build_workforce_page(
            user=user, month=month, months=workforce_months
        )
        workforce_table = WorkforceTable(workforce)
    concerns = concern.exceptions(area=area, month=month, visible_areas=visible_areas)
    return PackContent(
        pack=pack,
        authority=ServiceArea.objects.authority(),
        area=area,
        month=month,
        run=run,
        status=reports.month_statuses([month])[month],
        marking=pack.marking,
        summary=summary,
        table=table,
        lines=lines,
        small_numbers_note=scorecard.small_numbers_note,
        workforce=workforce,
        workforce_table=workforce_table,
        exceptions=concerns,
        exception_pages=exception_pages(
            concerns,
            month=month,
            run=run,
            benchmarks={row.measure.pk: row.benchmarks for row in scorecard.rows},
            commentary=commentary,
        ),
    )


# The months an exception's chart may show, as the measure page's (`views.measure_chart`
# starts at the first with a figure, and shows at least a year).
CHART_MONTHS = 24


def exception_pages(concerns, *, month, run, benchmarks, commentary) -> list[ExceptionPage]:
    """A page for each exception (`concern.exceptions`' order), its chart drawn as
    the measure page draws it. One query for every exception's results, one for
    the comparators' names: the same statements for one exception or hundreds."""
    if not concerns:
        return []
    names = reports.comparators()
    css = chart_css()
    months = [aggregation.add_months(month, -i) for i in range(CHART_MONTHS - 1, -1, -1)]
    history = defaultdict(list)  # (measure id, area id) -> results oldest first, up to `month`
    for result in ScorecardResult.objects.filter(
        measure_id__in={c.measure.pk for c in concerns},
        area_id__in={c.area.pk for c in concerns},
        month__lte=month,
    ).order_by("month"):
        history[(result.measure_id, result.area_id)].append(result)
    pages = []
    for found in concerns:
        measure, area = found.measure, found.area
        results = history[(measure.pk, area.pk)]
        as_at = reports.as_at(measure, month)
        by_month = {r.month: r for r in results}
        detail = reports.MeasureDetail(
            measure=measure,
            area=area,
            month=month,
            series=[(m, by_month.get(m)) for m in months],
            targets=[],
            baselines=[],
            benchmarks=list(benchmarks.get(measure.pk, {}).values()),
            by_area=[],
            commentary=commentary.get(measure.pk, []),
            approvals=[],
            run=run,
            process=reports.process_chart_of(
                measure,
                [
                    tuple(getattr(r, name) for name in reports.PROCESS_FIELDS)
                    for r in results
                    if r.due and r.month <= as_at
                ],
            ),
        )
        pages.append(
            ExceptionPage(
                measure=measure,
                area=area,
                result=found.result,
                reasons=found.reasons,
                spc=formatting.spc_words(found.result),
                chart=with_style(
                    views.measure_chart(detail, comparators=names), css, len(pages) + 1
                ),
                commentary=detail.commentary,
                revisions=detail.revisions,
                figures=detail.due_series[-12:],
            )
        )
    return pages


# The stylesheet that colours the measure page's charts: the one home of their
# colours and lines, read from disk (the PDF is made without the network).
SCREEN_STYLESHEET = "css/app.css"


def chart_css() -> str:
    """The charts' rules of the screen's stylesheet (those for `.chart__...`
    only), for `rendering.with_style`: a pack's charts look as the measure page's."""
    path = finders.find(SCREEN_STYLESHEET)
    if path is None:
        raise FileNotFoundError(f"{SCREEN_STYLESHEET} is not among the static files")
    with open(path, encoding="utf-8") as stylesheet:
        return "\n".join(
            f"{selectors} {{{declarations}}}"
            for selectors, declarations in top_level_rules(stylesheet.read())
            if all(s.strip().startswith(".chart__") for s in selectors.split(","))
        )


def top_level_rules(css: str) -> list[tuple[str, str]]:
    """[(selectors, declarations)] of a stylesheet's rules outside any at-rule
    (a rule inside @media is for some screens only)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules, depth, start, selectors = [], 0, 0, ""
    for i, char in enumerate(css):
        if char == "{":
            if depth == 0:
                selectors, start = css[start:i].strip(), i + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                if not selectors.startswith("@"):
                    rules.append((selectors, css[start:i]))
                start = i + 1
    return rules
