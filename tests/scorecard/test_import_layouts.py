"""Spreadsheets as people really keep them, each of which once imported wrong or
partial figures without a word: a blank row inside the table, quarter and total
columns among the months, percentages typed as fractions, 'n/a' merged across
months, month headings written as dates. Each is now read as the person meant it,
or refused naming the row.

The files are the seed's layout (tests/data/bucks-scorecard-2015-01.txt) changed
the way the defect was seen, or a workbook built here with openpyxl."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from scorecard import change_sets, importing
from scorecard.models import MonthlyReturn, ReturnValue
from scorecard.opening import open_returns
from tests import snapshot
from tests.scorecard.test_import import (
    SEED_NAME,
    coded,
    counts,
    messages,
    plan,
    sample_measures_only,
    seed_bytes,
    seed_rows,
    seed_text,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

HEADER_ROW = 55  # the seed's success-measure header; its rows are 57-63
SEED_WRITES = 101
MONTH_HEADINGS = [f"{month:%b %Y}" for month in [date(2014, m, 1) for m in range(4, 13)]] + [
    "Jan 2015",
    "Feb 2015",
    "Mar 2015",
]


@pytest.fixture
def measures_only(db):
    snapshot.load("measures only", sample_measures_only)


@pytest.fixture
def importer(db):
    from scorecard import roles
    from tests import factories

    return factories.user("po-layouts", roles.PERFORMANCE_OFFICERS, is_staff=True)


def with_rows(rows) -> str:
    return "\n".join("\t".join(cells) for cells in rows)


def monthly(the_plan, title):
    """{period: new value} of the plan's monthly figures for one measure."""
    return {w.period: w.new for w in the_plan.writes if w.kind == "monthly" and w.measure == title}


def as_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


# --- a blank row inside the table ------------------------------------------------


def test_a_blank_row_inside_the_table_is_read_past_to_the_rows_below(measures_only):
    rows = seed_rows()
    rows.insert(58, [""])  # between row 58 and row 59: the rows below become 60-64
    the_plan = plan(with_rows(rows))
    assert the_plan.errors == []
    assert len(the_plan.writes) == SEED_WRITES
    assert ("blank_row_in_table", 59) in coded(the_plan.warnings)
    assert not [f for f in the_plan.warnings if f.code == "not_imported_rows" and f.row == 60]
    assert monthly(the_plan, "% CLA placed no more than 20 miles from home")["April 2014"] == "50.0"
    assert the_plan.fingerprint == plan(seed_bytes()).fingerprint


def test_several_blank_rows_inside_the_table_are_read_past_too(measures_only):
    rows = seed_rows()
    rows[58:58] = [[""], ["", "", ""]]
    the_plan = plan(with_rows(rows))
    assert the_plan.errors == []
    assert the_plan.fingerprint == plan(seed_bytes()).fingerprint


def test_an_unknown_measure_below_a_blank_row_is_refused_naming_its_row(measures_only):
    rows = seed_rows()
    rows.insert(58, [""])
    rows[59][0] = "% children seen by a GP"  # the row after the blank, now row 60
    the_plan = plan(with_rows(rows))
    assert ("unknown_measure", 60) in coded(the_plan.errors)


def test_what_follows_a_blank_row_that_is_not_a_measure_row_still_ends_the_table(measures_only):
    """Commentary and the staffing block below a table are not table rows."""
    text = (
        seed_text()
        + "\n\nThe increase is seasonal.\n\nSickness Rate\tDec 2014\nFirst Reponse\t3.1%\n"
        + "Care Services\t2.7%\n"
    )
    the_plan = plan(text)
    assert the_plan.errors == []
    assert len(the_plan.writes) == SEED_WRITES
    assert ("not_imported_rows", 67) in coded(the_plan.warnings)
    assert "blank_row_in_table" not in {f.code for f in the_plan.warnings}


# --- quarter, total and year-to-date columns among the months ---------------------


QUARTERLY_HEADER = [
    "Success Measure",
    "Apr 2021",
    "May 2021",
    "Jun 2021",
    "Q1 2021/22",
    "Jul 2021",
    "Aug 2021",
    "Sep 2021",
    "Q2 2021/22",
    "YTD",
    "Current target",
    "Current RAG",
]


def test_a_quarter_column_among_the_months_is_skipped_and_later_months_stay_months(
    measures_only,
):
    """A layout many authorities use: each quarter's figure after its three months."""
    rows = [
        QUARTERLY_HEADER,
        [
            "% repeat referrals",
            "24.0%",
            "26.0%",
            "25.0%",
            "25.0%",
            "22.0%",
            "23.0%",
            "24.0%",
            "23.0%",
            "24.0%",
            "25.0%",
            "Green",
        ],
    ]
    the_plan = plan(as_csv(rows), "quarterly.csv")
    assert the_plan.errors == []
    assert monthly(the_plan, "% repeat referrals") == {
        "April 2021": "24.0",
        "May 2021": "26.0",
        "June 2021": "25.0",
        "July 2021": "22.0",
        "August 2021": "23.0",
        "September 2021": "24.0",
    }
    assert not [w for w in the_plan.writes if w.kind == "long_term"]
    assert [w.new for w in the_plan.writes if w.kind == "in_year"] == ["25.0"]
    assert ("summary_column_skipped", 1) in coded(the_plan.warnings)
    assert the_plan.months[-1] == date(2021, 9, 1)


@pytest.mark.parametrize("heading", ["Q1", "Quarter 1", "Qtr 1 2021-22", "Total", "Year to date"])
def test_other_spellings_of_a_summary_column_are_skipped(measures_only, heading):
    rows = [
        ["Success Measure", "Apr 2021", "May 2021", "Jun 2021", heading, "Jul 2021"],
        ["% repeat referrals", "24.0", "26.0", "25.0", "75.0", "22.0"],
    ]
    the_plan = plan(as_csv(rows), "quarterly.csv")
    assert the_plan.errors == []
    assert monthly(the_plan, "% repeat referrals")["July 2021"] == "22.0"
    assert "75.0" not in monthly(the_plan, "% repeat referrals").values()


@pytest.mark.parametrize(
    "headings",
    [
        ["Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22"],
        ["Quarter 1 2021-22", "Quarter 2 2021-22", "Quarter 3 2021-22", "Quarter 4 2021-22"],
        ["Apr-Jun 2021", "Jul-Sep 2021", "Oct-Dec 2021", "Jan-Mar 2022"],
    ],
)
def test_a_table_of_quarters_alone_reads_each_quarter_as_its_last_month(measures_only, headings):
    """A quarterly report (Darlington's committee papers): no months, a column a
    quarter. Each figure is its quarter's, due in the quarter's last month."""
    rows = [
        ["Success Measure", *headings],
        ["% repeat referrals", "17.5", "16.0", "18.2", "14.8"],
    ]
    the_plan = plan(as_csv(rows), "quarters.csv")
    assert the_plan.errors == []
    assert monthly(the_plan, "% repeat referrals") == {
        "June 2021": "17.5",
        "September 2021": "16.0",
        "December 2021": "18.2",
        "March 2022": "14.8",
    }
    assert "summary_column_skipped" not in {code for code, _ in coded(the_plan.warnings)}


# --- percentages typed as fractions ----------------------------------------------


def fractions_workbook(number_format="General"):
    rows = [
        ["Success Measure", "Apr 2014", "May 2014", "Jun 2014", "Current target"],
        ["% repeat referrals", 0.172, 0.29, 0.331, 25],
    ]
    formats = {(2, c): number_format for c in (2, 3, 4)}
    return workbook_bytes(rows, formats)


def test_percentages_typed_as_fractions_are_refused_naming_the_row(measures_only, importer):
    the_plan = plan(fractions_workbook(), "fractions.xlsx")
    assert ("percent_as_fraction", 2) in coded(the_plan.errors)
    (message,) = [f.message for f in the_plan.errors if f.code == "percent_as_fraction"]
    assert "fractions" in message and "17.2 or 17.2%" in message
    before = counts()
    with pytest.raises(importing.ImportRefused):
        importing.apply_plan(plan=the_plan, user=importer)
    assert counts() == before


def test_the_same_figures_formatted_as_percentages_are_read_as_percentages(measures_only):
    the_plan = plan(fractions_workbook("0.0%"), "percentages.xlsx")
    assert the_plan.errors == []
    assert monthly(the_plan, "% repeat referrals") == {
        "April 2014": "17.2",
        "May 2014": "29.0",
        "June 2014": "33.1",
    }


def test_figures_below_one_percent_written_with_a_percent_sign_are_taken_at_their_word(
    measures_only,
):
    rows = [
        ["Success Measure", "Apr 2014", "May 2014", "Current target"],
        ["% repeat referrals", "0.4%", "0.6%", "2"],
        ["% children seen during assessment", "0", "0", "90"],  # none at all is no fraction
    ]
    the_plan = plan(as_csv(rows), "small.csv")
    assert the_plan.errors == []
    assert monthly(the_plan, "% repeat referrals") == {"April 2014": "0.4", "May 2014": "0.6"}


def test_a_count_row_of_small_figures_is_not_taken_for_fractions(measures_only):
    rows = [
        ["Success Measure", "Apr 2014", "May 2014", "Current target"],
        ["Rate per 10,000 subject to a Child Protection Plan", "0.5", "0.9", "30"],
    ]
    assert plan(as_csv(rows), "rates.csv").errors == []


# --- 'n/a' merged across months in a workbook --------------------------------------


def unshifted_seed_workbook(merge=True) -> bytes:
    """The seed as the workbook it came from: the pathway-plan rows with 'n/a' one
    cell merged over April-December (columns C-K), not flattened into fewer cells."""
    rows = seed_rows()
    for index, (outturn, rag) in ((59, ("95.0%", "Green")), (60, ("66.8%", "Red"))):
        title, baseline = rows[index][0], rows[index][1]
        rows[index] = [title, baseline, "n/a", *[""] * 8, outturn, "", "", "", "", ""]
        rows[index] += [outturn, "85.0%", rag, "100%"]
    rows[55] = ["", "June", "outturn", *[""] * 11, "2014", "2014", "2014", "", "", "", "Target"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append([cell or None for cell in cells])
    if merge:
        sheet.merge_cells("C56:N56")
        sheet.merge_cells("C60:K60")
        sheet.merge_cells("C61:K61")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_n_a_merged_across_months_in_a_workbook_is_every_months_figure(measures_only):
    the_plan = plan(unshifted_seed_workbook(), "bucks.xlsx")
    assert the_plan.errors == []
    pathway = monthly(the_plan, "% 16-18 year olds in care with an up-to-date pathway plan")
    assert [pathway[f"{date(2014, m, 1):%B %Y}"] for m in range(4, 13)] == ["n/a"] * 9
    assert pathway["January 2015"] == "95.0"
    assert ("merged_cell_spread", 60) in coded(the_plan.warnings)
    assert the_plan.fingerprint == plan(seed_bytes(), "bucks.xlsx").fingerprint


def test_a_merged_title_is_left_as_one_cell(measures_only):
    """Only a figure is spread: a heading merged across the page stays a heading."""
    rows = [["Performance report January 2015"], *seed_rows()]
    workbook = openpyxl.Workbook()
    for cells in rows:
        workbook.active.append([cell or None for cell in cells])
    workbook.active.merge_cells("A1:U1")
    workbook.active.merge_cells("A11:J11")  # the first benchmark block's title
    out = io.BytesIO()
    workbook.save(out)
    the_plan = plan(out.getvalue(), "bucks.xlsx")
    assert the_plan.errors == []
    assert the_plan.fingerprint == plan(seed_bytes(), "bucks.xlsx").fingerprint


# --- month headings written as dates ------------------------------------------------


def seed_with_month_headings(headings) -> list[list]:
    rows = seed_rows()
    rows[HEADER_ROW - 1] = rows[HEADER_ROW - 1][:2] + headings + rows[HEADER_ROW - 1][14:]
    return rows


@pytest.mark.parametrize(
    "headings",
    [
        [f"{m:%d/%m/%Y}" for m in [date(2014, n, 1) for n in range(4, 13)]]
        + ["01/01/2015", "01/02/2015", "01/03/2015"],
        [f"{m.day}/{m.month}/{m:%y}" for m in [date(2014, n, 1) for n in range(4, 13)]]
        + ["1/1/15", "1/2/15", "1/3/15"],
    ],
    ids=["dd/mm/yyyy", "d/m/yy"],
)
def test_month_headings_written_as_uk_dates_are_read_as_their_months(measures_only, headings):
    the_plan = plan(with_rows(seed_with_month_headings(headings)))
    assert the_plan.errors == []
    assert the_plan.fingerprint == plan(seed_bytes()).fingerprint


def test_month_headings_as_us_dates_are_refused_not_misread(measures_only):
    """4/1/2014, 5/1/2014 ... read day-first are all January: refused, never guessed."""
    headings = [f"{n}/1/2014" for n in range(4, 13)] + ["1/1/2015", "2/1/2015", "3/1/2015"]
    the_plan = plan(with_rows(seed_with_month_headings(headings)))
    assert ("duplicate_month", HEADER_ROW) in coded(the_plan.errors)


def seed_workbook_with_month_headings(headings) -> bytes:
    rows = []
    for cells in seed_rows():
        rows.append([cell or None for cell in cells])
    rows[HEADER_ROW - 1] = rows[HEADER_ROW - 1][:2] + headings + rows[HEADER_ROW - 1][14:]
    return workbook_bytes(rows)


def test_month_headings_as_excel_serial_numbers_are_read_as_their_months(measures_only):
    """A date whose format was lost reaches the file as its serial: 41730 is 1 April 2014."""
    months = [date(2014, n, 1) for n in range(4, 13)] + [date(2015, n, 1) for n in (1, 2, 3)]
    serials = [(month - date(1899, 12, 30)).days for month in months]
    assert serials[0] == 41730
    the_plan = plan(seed_workbook_with_month_headings(serials), "serials.xlsx")
    assert the_plan.errors == []
    assert the_plan.fingerprint == plan(seed_bytes(), "serials.xlsx").fingerprint


def test_month_headings_as_real_date_cells_are_read_as_their_months(measures_only):
    months = [datetime(2014, n, 1) for n in range(4, 13)] + [
        datetime(2015, n, 1) for n in (1, 2, 3)
    ]
    the_plan = plan(seed_workbook_with_month_headings(months), "dates.xlsx")
    assert the_plan.errors == []
    assert the_plan.fingerprint == plan(seed_bytes(), "dates.xlsx").fingerprint


def test_a_row_of_figures_is_not_taken_for_a_header_of_serials(measures_only):
    """41730 and 41760 are also the serials of 1 April and 1 May 2014: as figures in a
    row they stay figures (a header of serials needs three months in a row)."""
    rows = [
        ["Success Measure", "Apr 2014", "May 2014", "Current target"],
        ["Rate per 10,000 subject to a Child Protection Plan", "41730", "41760"],
    ]
    the_plan = plan(as_csv(rows), "counts.csv")
    assert the_plan.errors == []
    assert monthly(the_plan, "Rate per 10,000 subject to a Child Protection Plan") == {
        "April 2014": "41,730.0",
        "May 2014": "41,760.0",
    }


# --- a month opened but still empty --------------------------------------------------


def seed_with_february() -> str:
    """The seed with a February 2015 figure for % repeat referrals (row 57)."""
    return seed_text().replace("\t25.0%\t31.0%\t\t\t23.4%", "\t25.0%\t31.0%\t30.0%\t\t23.4%", 1)


def test_figures_import_into_a_month_opened_but_still_empty(measures_only, importer):
    from scorecard import roles
    from tests import factories

    open_returns(date(2015, 2, 1))
    february = MonthlyReturn.objects.get(area__parent__isnull=True, month=date(2015, 2, 1))
    assert february.status == MonthlyReturn.Status.DRAFT
    the_plan = plan(seed_with_february(), SEED_NAME)
    assert the_plan.errors == []
    assert monthly(the_plan, "% repeat referrals")["February 2015"] == "30.0"
    assert ("open_return_filled", 57) in coded(the_plan.warnings)
    # maker-checker: a return exists, so a second officer approves the change set
    assert change_sets.needs_second_officer(the_plan)
    change_set = change_sets.propose(
        user=importer, plan=the_plan, content=seed_with_february().encode()
    )
    checker = factories.user("po-checker", roles.PERFORMANCE_OFFICERS)
    change_sets.approve(user=checker, change_set=change_set)
    february.refresh_from_db()
    assert february.status == MonthlyReturn.Status.APPROVED
    assert february.approved_by == checker and february.source == SEED_NAME
    assert ReturnValue.objects.get(
        monthly_return=february, measure__code="repeat-referrals"
    ).value == Decimal("30.0")


def test_a_month_opened_with_figures_entered_is_still_refused(measures_only):
    open_returns(date(2015, 2, 1))
    entered = ReturnValue.objects.filter(
        monthly_return__area__parent__isnull=True, monthly_return__month=date(2015, 2, 1)
    ).first()
    entered.value = Decimal("12")
    entered.save()
    the_plan = plan(seed_with_february(), SEED_NAME)
    assert ("return_not_approved", 57) in coded(the_plan.errors)
    assert any("February 2015 is draft, not approved" in m for m in messages(the_plan.errors))


def test_a_month_opened_and_begun_after_the_preview_is_not_imported_into(measures_only, importer):
    open_returns(date(2015, 2, 1))
    the_plan = plan(seed_with_february(), SEED_NAME)
    assert the_plan.errors == []
    ReturnValue.objects.filter(
        monthly_return__area__parent__isnull=True, monthly_return__month=date(2015, 2, 1)
    ).update(commentary="Being written")
    before = counts()
    with pytest.raises(importing.ImportRefused) as refusal:
        importing.apply_plan(plan=the_plan, user=importer)
    assert refusal.value.code == "changed_since_preview"
    assert counts() == before
    assert (
        MonthlyReturn.objects.get(area__parent__isnull=True, month=date(2015, 2, 1)).status
        == MonthlyReturn.Status.DRAFT
    )


# --- team-level figures: an area column ----------------------------------------------


TEAM_HEADER = ["Success Measure", "Service area", "Apr 2014", "May 2014", "Current target"]


def team_rows(*rows):
    return as_csv([TEAM_HEADER, *rows])


def test_an_area_column_imports_each_teams_figures_into_its_own_return(measures_only, importer):
    """A team-by-team sheet: one row per measure and service area, the authority's
    own row with the area left blank."""
    content = team_rows(
        ["% assessments completed in 45 days", "First Response", "31.0", "28.0", "85.0"],
        ["% assessments completed in 45 days", "Children in Need South", "22.0", "24.0", "85.0"],
        ["% assessments completed in 45 days", "", "27.0", "26.0", "85.0"],
    )
    the_plan = plan(content, "teams.csv")
    assert the_plan.errors == []
    assert sorted((w.period, w.new) for w in the_plan.writes if w.kind == "monthly") == [
        ("April 2014", "27.0"),
        ("April 2014 (Children in Need South)", "22.0"),
        ("April 2014 (First Response)", "31.0"),
        ("May 2014", "26.0"),
        ("May 2014 (Children in Need South)", "24.0"),
        ("May 2014 (First Response)", "28.0"),
    ]
    importing.apply_plan(plan=the_plan, user=importer)
    stored = {
        (v.monthly_return.area.name, v.monthly_return.month, v.value)
        for v in ReturnValue.objects.select_related("monthly_return__area")
    }
    assert ("First Response", date(2014, 4, 1), Decimal("31.0")) in stored
    assert ("Children in Need South", date(2014, 5, 1), Decimal("24.0")) in stored
    assert len(stored) == 6
    assert set(MonthlyReturn.objects.values_list("status", flat=True)) == {"approved"}
    assert plan(content, "teams.csv").writes == []  # a second import changes nothing


def test_an_area_the_product_does_not_know_is_refused_naming_the_row(measures_only):
    the_plan = plan(team_rows(["% repeat referrals", "First Reponse Team", "31.0", "28.0"]))
    assert ("unknown_area", 2) in coded(the_plan.errors)
    assert not the_plan.can_apply


def test_the_same_measure_for_the_same_area_twice_is_refused(measures_only):
    the_plan = plan(
        team_rows(
            ["% repeat referrals", "First Response", "31.0"],
            ["% repeat referrals", "first response", "30.0"],
        )
    )
    assert ("repeated_measure", 3) in coded(the_plan.errors)


def test_an_authority_wide_measure_given_for_a_team_is_refused(measures_only):
    """The scorecard never shows a team's figure for it: writing one would be silent."""
    rows = [["% ICPC within 15 working days of the strategy discussion", "Care Services", "44.0"]]
    assert ("not_reported_by_area", 2) in coded(plan(team_rows(*rows)).errors)


def test_a_measure_given_for_a_team_that_does_not_report_it_is_refused(measures_only):
    rows = [["% repeat referrals", "Children in Need South", "22.0"]]  # First Response's only
    assert ("not_reported_by_area", 2) in coded(plan(team_rows(*rows)).errors)


def test_a_team_return_in_progress_is_not_imported_into(measures_only, importer):
    open_returns(date(2014, 4, 1))
    started = MonthlyReturn.objects.get(area__name="First Response", month=date(2014, 4, 1))
    started.values.filter(measure__code="referrals").update(value=Decimal("120"))
    the_plan = plan(team_rows(["% repeat referrals", "First Response", "31.0", "28.0"]))
    assert ("return_not_approved", 2) in coded(the_plan.errors)
    assert any(
        "First Response's return for April 2014 is draft" in m for m in messages(the_plan.errors)
    )


def test_a_team_return_that_exists_needs_a_second_officer(measures_only, settings):
    settings.IMPORT_ONE_STEP_INTO_NEW_MONTHS = True
    content = team_rows(["% repeat referrals", "First Response", "31.0"])
    assert not change_sets.needs_second_officer(plan(content))
    open_returns(date(2014, 4, 1))
    assert change_sets.needs_second_officer(plan(content))
