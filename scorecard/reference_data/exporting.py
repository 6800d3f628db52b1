"""The set-up as it is stored, sheet by sheet: as rows of values (what an upload
is compared with) and as the workbook an officer downloads."""

from __future__ import annotations

import io
from collections import defaultdict

from django.contrib.auth import get_user_model

from .. import roles
from ..models import (
    Baseline,
    Benchmark,
    Measure,
    MeasureGroup,
    Population,
    ServiceArea,
    Target,
    TeamMembership,
)
from . import layout

FORMULA_STARTS = ("=", "+", "-", "@")


def stored_rows() -> dict[str, list[dict]]:
    """Every sheet's rows as the database holds them, in the file's order, as
    values by column name (`layout`)."""
    areas = list(ServiceArea.objects.select_related("parent").order_by("order", "name"))
    areas.sort(key=lambda area: not area.is_authority)
    measures = list(Measure.objects.select_related("group").prefetch_related("reporting_areas"))
    measure_order = {measure.pk: position for position, measure in enumerate(measures)}
    area_order = {area.pk: position for position, area in enumerate(areas)}

    def by_measure(queryset, *then):
        return sorted(
            queryset.select_related("measure"),
            key=lambda row: (measure_order[row.measure_id], *(then_key(row) for then_key in then)),
        )

    return {
        layout.AREAS: [
            {
                "slug": area.slug,
                "name": area.name,
                "parent": area.parent.slug if area.parent else "",
                "region": area.region,
                "active": area.active,
                "order": area.order,
            }
            for area in areas
        ],
        layout.GROUPS: [
            {"code": group.code, "name": group.name, "order": group.order}
            for group in MeasureGroup.objects.all()
        ],
        layout.MEASURES: [measure_row(measure) for measure in measures],
        layout.TARGETS: [
            {
                "measure": target.measure.code,
                "kind": target.kind,
                "starts": target.starts,
                "value": target.value,
                "due": target.due,
                "note": target.note,
            }
            for target in by_measure(Target.objects, lambda t: t.kind, lambda t: t.starts)
        ],
        layout.BASELINES: [
            {
                "measure": baseline.measure.code,
                "date": baseline.date,
                "value": baseline.value,
                "label": baseline.label,
            }
            for baseline in by_measure(Baseline.objects, lambda b: b.date)
        ],
        layout.BENCHMARKS: [
            {
                "measure": benchmark.measure.code,
                "comparator": benchmark.comparator,
                "period": benchmark.period,
                "value": benchmark.value,
                "source": benchmark.source,
            }
            for benchmark in by_measure(
                Benchmark.objects, lambda b: b.comparator, lambda b: b.period
            )
        ],
        layout.POPULATIONS: [
            {
                "area": population.area.slug,
                "year": population.year,
                "children_0_17": population.children_0_17,
                "source": population.source,
            }
            for population in sorted(
                Population.objects.select_related("area"),
                key=lambda p: (area_order[p.area_id], p.year),
            )
        ],
        layout.STAFF: staff_rows(),
    }


def measure_row(measure: Measure) -> dict:
    return {
        "code": measure.code,
        "title": measure.title,
        "group": measure.group_id,  # the group's code
        "unit": measure.unit,
        "polarity": measure.polarity,
        "entry": measure.entry,
        "level": measure.level,
        "frequency": measure.frequency,
        "year_to_date": measure.year_to_date,
        "decimal_places": measure.decimal_places,
        "definition": measure.definition,
        "numerator_label": measure.numerator_label,
        "denominator_label": measure.denominator_label,
        "source": measure.source,
        "aliases": measure.aliases.replace("\r\n", "\n").strip(),
        "order": measure.order,
        "is_headline": measure.is_headline,
        "active": measure.active,
        "tolerance": measure.tolerance,
        "tolerance_kind": measure.tolerance_kind,
        "green_band": measure.green_band,
        "min_denominator": measure.min_denominator,
        "change_threshold_percent": measure.change_threshold_percent,
        "reporting_areas": frozenset(area.slug for area in measure.reporting_areas.all()),
    }


def team_managers():
    """The accounts the Staff sheet is about: team managers'. (Never a password.)"""
    return get_user_model().objects.filter(groups__name=roles.TEAM_MANAGERS).order_by("username")


def staff_rows() -> list[dict]:
    manages = defaultdict(set)
    for user_id, slug in TeamMembership.objects.values_list("user_id", "area__slug"):
        manages[user_id].add(slug)
    return [
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "manages": frozenset(manages[user.pk]),
        }
        for user in team_managers()
    ]


def export_workbook() -> bytes:
    """The whole set-up as one workbook, a sheet per table, headings in row 1."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    rows = stored_rows()
    for name, sheet in layout.sheets().items():
        worksheet = workbook.create_sheet(name)
        worksheet.append([column.heading for column in sheet.columns])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
        for row in rows[name]:
            worksheet.append([_cell(column, row[column.name]) for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = max(
                12, min(40, len(column.heading) + 4)
            )
        for cells in worksheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    # text, never a formula, whatever it starts with
                    cell.data_type = "s"
                    cell.quotePrefix = True
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cell(column: layout.Column, value):
    if value is None or value == "" or value == frozenset():
        return None
    return column.write(value)
