"""The scorecard's spreadsheets, read back as Excel and as a CSV reader reads them:
numbers as numbers with their formats, headings with their units and periods, a
title block that says what the figures are and how final, and nothing withheld
given away."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import timezone

from scorecard import engine, exports, importing, roles
from scorecard.models import Benchmark, Measure, MonthlyReturn, ServiceArea
from scorecard.reports import MonthStatus
from tests import factories
from tests.scorecard.test_small_numbers import small_counts  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
JAN = date(2015, 1, 1)


def workbook(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def header_row(sheet) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == "Measure")


def table(sheet):
    """{measure title: {heading: cell}} below the header row."""
    at = header_row(sheet)
    headings = [cell.value for cell in sheet[at]]
    return {
        row[0].value: dict(zip(headings, row, strict=False))
        for row in sheet.iter_rows(min_row=at + 1)
        if row[0].value
    }


def test_the_xlsx_holds_the_seeds_figures_as_numbers_with_their_formats(director_client):
    sheet = workbook(director_client.get("/scorecard/?month=2015-01&export=xlsx")).active
    rows = table(sheet)
    referrals = rows["% repeat referrals"]
    for heading, value in [
        ("Outturn", 31),
        ("Target", 25),
        ("Apr 2014", 35),
        ("Jan 2015", 31),
        ("Stat. neighbours (2014)", Decimal("23.4")),
        ("South East (2014)", Decimal("28.1")),
        ("National (2014)", Decimal("23.4")),
    ]:
        cell = referrals[heading]
        assert (cell.data_type, cell.number_format) == ("n", "#,##0.0"), heading
        assert Decimal(str(cell.value)) == value, heading
    long_term = referrals["Long-term target (Jan 2016)"]
    assert (long_term.value, long_term.number_format) == (23, "#,##0")
    assert (referrals["Baseline"].value, referrals["Baseline"].data_type) == (30, "n")
    assert referrals["Unit"].value == "%"
    assert referrals["RAG"].value == "Red"
    assert referrals["RAG"].fill.fgColor.rgb.endswith(exports.RATING_FILLS["red"])
    assert rows["% children seen during assessment"]["RAG"].value == "Amber"
    assert rows["% CLA placed no more than 20 miles from home"]["RAG"].value == "Green"
    assert referrals["Feb 2015"].value is None  # not yet reported
    assert referrals["Provisional"].value == "No"
    assert referrals["Revised since published"].value == "No"
    assert referrals["Variation and assurance (SPC)"].value == (
        "Fewer than 12 points: no statistical process control"
    )
    pathway = rows["% 16-18 year olds in care with an up-to-date pathway plan"]
    assert (pathway["Dec 2014"].value, pathway["Jan 2015"].value) == ("n/a", 95)
    referral_count = rows["Number of referrals"]
    assert referral_count["Unit"].value == "count"
    assert referral_count["Outturn"].value is None  # the seed gives its words, no figure
    assert referral_count["Commentary"].value == (
        "Buckinghamshire Children's Services: Referrals in January have decreased by 26% "
        "due to both the seasonal impact."
    )
    cp_rate = rows["Rate per 10,000 subject to a Child Protection Plan"]
    assert cp_rate["Unit"].value == "per 10,000 children"
    assert (Decimal(str(cp_rate["Outturn"].value)), cp_rate["RAG"].value) == (Decimal("29.1"), None)
    assert cp_rate["Outturn"].number_format == "#,##0.0"


def test_the_xlsx_says_what_it_is_and_keeps_its_headings_in_view(director_client):
    sheet = workbook(director_client.get("/scorecard/?month=2015-01&export=xlsx")).active
    run = engine.latest_successful_run()
    assert sheet.title == "Scorecard Jan 2015"
    assert sheet["A1"].value == (
        "Scorecard: Buckinghamshire Children's Services, as at January 2015"
    )
    finished = timezone.localtime(run.finished_at)
    assert sheet["A2"].value == (
        f"Calculated at {finished.day} {finished:%B %Y, %H:%M} (calculation run {run.pk}) "
        "from approved returns."
    )
    approved = MonthlyReturn.objects.filter(month=JAN, status="approved").count()
    assert sheet["A3"].value == f"Final: all {approved} returns approved."
    at = header_row(sheet)
    assert sheet.freeze_panes == f"B{at + 1}"  # the header row and the measure column
    assert sheet.cell(row=at, column=1).font.bold


def test_the_csv_has_the_same_columns_with_a_byte_order_mark(director_client):
    xlsx = workbook(director_client.get("/scorecard/?month=2015-01&export=xlsx")).active
    response = director_client.get("/scorecard/?month=2015-01&export=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [cell.value for cell in xlsx[header_row(xlsx)]]
    by_title = {row["Measure"]: row for row in csv.DictReader(io.StringIO(text))}
    referrals = by_title["% repeat referrals"]
    assert (referrals["Outturn"], referrals["RAG"], referrals["National (2014)"]) == (
        "31.0",
        "Red",
        "23.4",
    )


def test_names_with_accents_survive_both_exports(director_client):
    ServiceArea.objects.filter(parent__isnull=True).update(name="Département des Enfants")
    Measure.objects.filter(code="referrals").update(title="Nombre de saisines (référés)")
    cache.clear()
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                director_client.get("/scorecard/?month=2015-01&export=csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    referrals = next(row for row in csv_rows if row["Measure"] == "Nombre de saisines (référés)")
    assert referrals["Commentary"].startswith("Département des Enfants: Referrals in January")
    sheet = workbook(director_client.get("/scorecard/?month=2015-01&export=xlsx")).active
    assert sheet["A1"].value == "Scorecard: Département des Enfants, as at January 2015"
    assert "Nombre de saisines (référés)" in table(sheet)


def test_a_figure_is_written_as_the_page_rounds_it_never_through_a_float(db):
    authority = factories.authority()
    measure = factories.measure(
        title="Average days", unit="days", entry="value", polarity="none", decimal_places=2
    )
    monthly_return = factories.monthly_return(
        authority, JAN, status=MonthlyReturn.Status.APPROVED, approved_at="2015-02-10T12:00Z"
    )
    factories.value(monthly_return, measure, value=Decimal("2.675"))  # float rounds it to 2.67
    engine.recalculate()
    sheet = exports.scorecard_sheet(
        area=authority, month=JAN, visible_areas=ServiceArea.objects.all()
    )
    [row] = sheet.rows
    outturn = row[sheet.headers.index("Outturn")]
    assert outturn == exports.Number(Decimal("2.675"), 2)
    assert outturn.shown == Decimal("2.68")
    cell = openpyxl.load_workbook(io.BytesIO(exports.workbook(sheet))).active
    written = table(cell)["Average days"]["Outturn"]
    assert (written.value, written.number_format) == (2.68, "#,##0.00")
    csv_row = next(csv.DictReader(io.StringIO(exports.csv_text(sheet)[1:])))
    assert csv_row["Outturn"] == "2.68" and csv_row["Unit"] == "days"


def test_a_withheld_count_stays_withheld_in_the_xlsx(client, small_counts):  # noqa: F811
    north, south, referrals = small_counts
    client.force_login(factories.user("dir", roles.DIRECTORS))
    for area in (north, south):
        sheet = workbook(client.get(f"/scorecard/?area={area.pk}&export=xlsx")).active
        row = table(sheet)[referrals.title]
        assert row["Feb 2015"].value == "c" and row["Outturn"].value == "c"
        assert {cell.value for cell in row.values()} & {3, 40, "3", "40"} == set()
        assert any("fewer than 5" in (cell.value or "") for cell in sheet["A"][:8])
    authority = table(
        workbook(client.get(f"/scorecard/?area={factories.authority().pk}&export=xlsx")).active
    )[referrals.title]["Feb 2015"]
    assert (authority.value, authority.data_type, authority.number_format) == (43, "n", "#,##0")


def test_provisional_or_final_in_words():
    assert exports.status_line(MonthStatus(JAN, 7, 7)) == "Final: all 7 returns approved."
    assert exports.status_line(MonthStatus(JAN, 3, 7)) == (
        "Provisional: 3 of 7 returns approved; figures marked Provisional may change."
    )
    assert exports.status_line(MonthStatus(JAN, 0, 0)).startswith("Provisional")


def test_benchmarks_of_different_years_get_a_column_each_and_import_back(director_client):
    Benchmark.objects.filter(measure__code="cla-rate", comparator="england").update(
        period_start=date(2013, 1, 1)
    )
    cache.clear()
    content = director_client.get("/scorecard/?month=2015-01&export=xlsx").content
    rows = table(openpyxl.load_workbook(io.BytesIO(content)).active)
    cla = rows["Rate per 10,000 Children Looked After"]
    assert cla["National (2013)"].value == 60 and cla["National (2013)"].data_type == "n"
    assert cla["National (2014)"].value is None
    assert Decimal(str(rows["% repeat referrals"]["National (2014)"].value)) == Decimal("23.4")
    for content, name in (
        (content, "scorecard.xlsx"),
        (director_client.get("/scorecard/?month=2015-01&export=csv").content, "scorecard.csv"),
    ):
        plan = importing.plan_import(content, name)
        assert (plan.errors, plan.writes, plan.rag_differences) == ([], [], []), name
