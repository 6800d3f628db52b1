"""Importing scorecard spreadsheets: the seed reproduces the sample, bad files are
refused with their message and write nothing, ratings are compared not copied,
shifted rows are realigned with a warning, and a second import changes nothing."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings

from scorecard import engine, importing, roles
from scorecard.importing import findings, layout, reading
from scorecard.models import (
    Baseline,
    Benchmark,
    CalculationRun,
    Measure,
    MonthlyReturn,
    ReturnValue,
    ScorecardResult,
    Target,
)
from scorecard.sample import load_sample
from tests import factories, snapshot

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "data" / "bucks-scorecard-2015-01.txt"
SEED_NAME = "bucks-scorecard-2015-01.txt"
SEED_RATINGS = {
    "% repeat referrals": ("Red", "31.0"),
    "% assessments completed in 45 days": ("Red", "76.0"),
    "% children seen during assessment": ("Amber", "89.0"),
    "% 16-18 year olds in care with an up-to-date pathway plan": ("Green", "95.0"),
    "% care leavers with an up-to-date pathway plan": ("Red", "66.8"),
    "% CLA placed no more than 20 miles from home": ("Green", "46.0"),
    "% ICPC within 15 working days of the strategy discussion": ("Red", "44.0"),
}
WRITTEN = [MonthlyReturn, ReturnValue, Target, Baseline, Benchmark]


def seed_bytes() -> bytes:
    return SEED.read_bytes()


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def counts():
    return {model.__name__: model.objects.count() for model in WRITTEN}


def export(month="2015-01"):
    out = io.StringIO()
    call_command("export_scorecard", "--month", month, stdout=out, stderr=io.StringIO())
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def empty_the_figures():
    """Measures, areas and users stay; every figure goes."""
    ScorecardResult.objects.all().delete()
    MonthlyReturn.objects.all().delete()
    for model in (Target, Baseline, Benchmark):
        model.objects.all().delete()


def sample_measures_only():
    """The sample's measures and areas with no figures at all."""
    load_sample()
    empty_the_figures()


@pytest.fixture
def measures_only(db):
    """`sample_measures_only()`, made once per session and copied in (tests/snapshot.py)."""
    snapshot.load("measures only", sample_measures_only)


@pytest.fixture
def importer_user(db):
    return factories.user("po-import", roles.PERFORMANCE_OFFICERS, is_staff=True)


def plan(content: bytes | str, filename="scorecard.txt"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return importing.plan_import(content, filename)


def messages(found):
    return [f.message for f in found]


def coded(found):
    """Each finding as (code, row): tests go by the code, not the wording."""
    return [(f.code, f.row) for f in found]


# --- the seed --------------------------------------------------------------


def test_the_seed_imports_into_an_empty_database_and_reproduces_the_sample(
    measures_only, importer_user, django_capture_on_commit_callbacks
):
    the_plan = plan(seed_bytes(), SEED_NAME)
    assert the_plan.errors == []
    assert the_plan.changes == []
    kinds = {}
    for write in the_plan.creates:
        kinds[write.kind] = kinds.get(write.kind, 0) + 1
    assert kinds == {"monthly": 63, "baseline": 6, "benchmark": 18, "in_year": 7, "long_term": 7}
    with django_capture_on_commit_callbacks(execute=True):
        result = importing.apply_plan(plan=the_plan, user=importer_user)
    assert (result.created, result.changed) == (101, 0)
    # the recalculation was queued on commit (tasks run in-process in tests)
    assert CalculationRun.objects.filter(trigger="import").exists()

    rows = {row["Measure"]: row for row in export()}
    assert {
        title: (rows[title]["RAG"], rows[title]["Outturn"]) for title in SEED_RATINGS
    } == SEED_RATINGS
    referrals = rows["% repeat referrals"]
    assert referrals["Target"] == "25.0"
    assert referrals["Long-term target (Jan 2016)"] == "23"
    assert referrals["Baseline"] == "30"
    assert referrals["Stat. neighbours (2014)"] == "23.4"
    assert rows["Rate per 10,000 subject to a Child Protection Plan"]["Outturn"] == "29.1"
    assert rows["Rate per 10,000 Children Looked After"]["National (2014)"] == "60.0"
    pathway = rows["% 16-18 year olds in care with an up-to-date pathway plan"]
    assert pathway["Apr 2014"] == pathway["Dec 2014"] == "n/a"
    assert pathway["Jan 2015"] == "95.0"

    returns = MonthlyReturn.objects.all()
    assert returns.count() == 10
    assert {(r.status, r.source, r.approved_by_id, r.area.parent_id) for r in returns} == {
        ("approved", SEED_NAME, importer_user.pk, None)
    }
    assert Baseline.objects.get(measure__code="repeat-referrals").date == date(2014, 6, 1)
    assert Target.objects.get(measure__code="repeat-referrals", kind="long_term").due == date(
        2016, 1, 1
    )


def test_the_seed_gives_the_same_scorecard_as_the_sample(db, importer_user):
    load_sample()
    engine.recalculate(trigger="test")
    from_sample = export()
    empty_the_figures()
    importing.apply_plan(plan=plan(seed_bytes(), SEED_NAME), user=importer_user)
    engine.recalculate(trigger="test")
    # The seed's rows read the same, every column (the sample's other parts, such as
    # the workforce figures on area returns, were emptied with the rest).
    seeded = [
        *SEED_RATINGS,
        "Rate per 10,000 subject to a Child Protection Plan",
        "Rate per 10,000 Children Looked After",
    ]
    imported = {row["Measure"]: row for row in export()}
    sample_rows = {row["Measure"]: row for row in from_sample}

    # (every column but the commentary: an import brings figures, not words)
    def figures(row):
        return {heading: text for heading, text in row.items() if heading != "Commentary"}

    assert {title: figures(imported[title]) for title in seeded} == {
        title: figures(sample_rows[title]) for title in seeded
    }


def test_the_seed_over_the_sample_changes_no_figure(sample):
    """The sample was copied from the seed: importing it finds nothing to do."""
    the_plan = plan(seed_bytes(), SEED_NAME)
    assert the_plan.errors == []
    assert the_plan.writes == []


def test_importing_the_same_file_again_changes_nothing(measures_only, importer_user):
    importing.apply_plan(plan=plan(seed_bytes(), SEED_NAME), user=importer_user)
    before = counts()
    again = plan(seed_bytes(), SEED_NAME)
    assert again.is_empty and not again.errors
    assert importing.apply_plan(plan=again, user=importer_user).created == 0
    assert counts() == before


def test_shifted_pathway_plan_rows_are_realigned_with_a_warning_saying_what_was_assumed(
    measures_only,
):
    warnings = messages(plan(seed_bytes()).warnings)
    found = coded(plan(seed_bytes()).warnings)
    assert {("row_realigned", 60), ("row_realigned", 61), ("subheader_realigned", 56)} <= set(found)
    assert (
        "Row 61 '% of Care Leavers have an up-…': 12 cells instead of 20; read 'n/a' as "
        "April 2014–December 2014 and 66.8% as January 2015, from the right-hand columns "
        "(as if 'n/a' were one cell merged over those months). Check these figures in the "
        "preview."
    ) in warnings
    assert any(
        w.startswith(
            "Row 60 '% 16-18 year olds in care hav…': 12 cells instead of 20; "
            "read 'n/a' as April 2014–December 2014 and 95.0% as January 2015"
        )
        for w in warnings
    )
    assert any(
        w.startswith("Row 56 (under the header)") and "'2014' under Stat. Neighbours" in w
        for w in warnings
    )


def test_a_shifted_row_that_cannot_be_told_is_refused_naming_the_row(measures_only):
    # Two 'n/a' cells: either could be the merged one, so the row is refused.
    text = seed_text().replace(
        "Pathway Plan\t50%\tn/a\t95.0%\t", "Pathway Plan\t50%\tn/a\tn/a\t95.0%\t", 1
    )
    text = text.replace("\t\t\t\t\t\t95.0%\t85.0%", "\t\t\t\t\t95.0%\t85.0%", 1)
    the_plan = plan(text)
    assert ("ambiguous_shift", 60) in coded(the_plan.errors)
    assert (
        "Row 60 '% 16-18 year olds in care hav…': 12 cells instead of 20, so its figures "
        "may not line up with the headings (more than one reading is possible). Nothing is "
        "imported from this row: unmerge its cells so each month has its own cell, and "
        "upload it again."
    ) in messages(the_plan.errors)
    assert not [w for w in the_plan.writes if w.row == 60]


def test_a_shifted_row_whose_right_hand_columns_disagree_is_refused(measures_only):
    text = seed_text().replace("\t66.8%\t85.0%\tRed", "\t60.0%\t85.0%\tRed", 1)
    errors = messages(plan(text).errors)
    assert ("not_a_number", 61) in coded(plan(text).errors)
    # Not explained by a merged cell: read as it stands, its bad cells are named.
    assert "Row 61, column L (Jan 2015): 'Red' is not a number" in errors
    assert not [w for w in plan(text).writes if w.row == 61]


def test_a_clean_row_that_could_also_be_a_shifted_one_is_refused(measures_only):
    """Without a RAG column a shifted row reads cleanly in the wrong months: refused."""
    rows = [line.split("\t") for line in seed_text().splitlines()]
    without_rag = "\n".join(
        "\t".join(cells[:19] + cells[20:]) if len(cells) == 21 else "\t".join(cells)
        for cells in rows
    )
    without_rag = without_rag.replace("\t95.0%\t85.0%\tGreen\t100%", "\t95.0%\t85.0%\t100%")
    without_rag = without_rag.replace("\t66.8%\t85.0%\tRed\t100%", "\t66.8%\t85.0%\t100%")
    errors = messages(plan(without_rag).errors)
    assert ("ambiguous_shift", 60) in coded(plan(without_rag).errors)
    assert any(
        e.startswith(
            "Row 60 '% 16-18 year olds in care hav…': 11 cells instead of 19, "
            "so its figures may not line up with the headings (it reads both "
            "as it stands and as shifted by a merged cell)"
        )
        for e in errors
    )


def test_the_rag_column_is_compared_and_every_difference_reported_never_copied(
    measures_only, importer_user
):
    text = (
        seed_text()
        .replace("\t89.0%\t93.0%\tAmber\t", "\t89.0%\t93.0%\tGreen\t", 1)
        .replace("\t31.0%\t25.0%\tRed\t", "\t31.0%\t25.0%\tAmber\t", 1)
    )
    the_plan = plan(text)
    assert the_plan.errors == []
    assert [(d.row, d.measure, d.in_file, d.computed) for d in the_plan.rag_differences] == [
        (57, "% repeat referrals", "Amber", "Red"),
        (59, "% children seen during assessment", "Green", "Amber"),
    ]
    assert [f for f in coded(the_plan.warnings) if f[0] == "rag_differs"] == [
        ("rag_differs", 57),
        ("rag_differs", 59),
    ]
    assert (
        "Row 59 '% children seen during assess…': the file's RAG is Green, the product "
        "rates it Amber (89.0 against a target of 93.0; higher is better; tolerance 5 "
        "points). The file's rating is not imported: the scorecard shows the product's."
    ) in messages(the_plan.warnings)
    importing.apply_plan(plan=the_plan, user=importer_user)
    engine.recalculate(trigger="test")
    rows = {row["Measure"]: row for row in export()}
    assert rows["% children seen during assessment"]["RAG"] == "Amber"


def test_the_rest_of_the_seed_is_named_not_dropped_silently(measures_only):
    warnings = messages(plan(seed_bytes()).warnings)
    assert {("not_imported_rows", 40), ("commentary_ignored", None)} <= set(
        coded(plan(seed_bytes()).warnings)
    )
    assert (
        "Rows 40–47 ('Sickness Rate'): not a success-measure table or a benchmark block; "
        "not imported." in warnings
    )
    assert any(
        w.startswith("Text outside the tables (commentary) is not imported: rows 5, 15")
        for w in warnings
    )


def test_a_second_import_shows_old_and_new_values_as_changes(measures_only, importer_user):
    importing.apply_plan(plan=plan(seed_bytes(), SEED_NAME), user=importer_user)
    text = seed_text().replace("% repeat referrals\t30%\t35.0%", "% repeat referrals\t30%\t36.5%")
    text = text.replace(
        "\t23.4%\t28.1%\t23.4%\t31.0%\t25.0%\tRed\t23%",
        "\t23.4%\t28.1%\t23.4%\t31.0%\t24.0%\tRed\t23%",
    )
    the_plan = plan(text, "bucks-v2.txt")
    assert [(w.action, w.kind, w.period, w.old, w.new) for w in the_plan.writes] == [
        ("change", "monthly", "April 2014", "35.0", "36.5"),
        ("change", "in_year", "from April 2014", "25.0", "24.0"),
    ]
    importing.apply_plan(plan=the_plan, user=importer_user)
    april = MonthlyReturn.objects.get(month=date(2014, 4, 1))
    assert april.source == "bucks-v2.txt"
    assert ReturnValue.objects.get(
        monthly_return=april, measure__code="repeat-referrals"
    ).value == Decimal("36.5")


def test_import_is_audited_with_the_file_name_and_the_importer(measures_only, importer_user):
    importing.apply_plan(plan=plan(seed_bytes(), SEED_NAME), user=importer_user)
    value = ReturnValue.objects.get(
        monthly_return__month=date(2015, 1, 1), measure__code="icpc-15-days"
    )
    event = ReturnValue.pgh_event_model.objects.filter(pgh_obj_id=value.pk).get()
    assert event.pgh_context.metadata["action"] == "import"
    assert event.pgh_context.metadata["source"] == SEED_NAME
    assert event.pgh_context.metadata["user"] == importer_user.pk


def test_figures_are_not_imported_into_a_return_still_in_progress(sample, importer_user):
    # load_sample opens February 2015: the authority's return is a draft, and an
    # officer has begun entering its figures (an empty one may be filled: see
    # test_import_layouts).
    ReturnValue.objects.filter(
        monthly_return__area__parent__isnull=True, monthly_return__month=date(2015, 2, 1)
    ).update(value=Decimal("12"))
    text = seed_text().replace(
        "% repeat referrals\t30%\t35.0%\t29.0%\t33.0%\t31.0%\t23.0%\t"
        "28.0%\t27.0%\t26.0%\t25.0%\t31.0%\t",
        "% repeat referrals\t30%\t35.0%\t29.0%\t33.0%\t31.0%\t23.0%\t"
        "28.0%\t27.0%\t26.0%\t25.0%\t31.0%\t30.0%",
    )
    errors = messages(plan(text).errors)
    assert any(
        "the authority's return for February 2015 is draft, not approved" in e for e in errors
    )
    assert ("return_not_approved", 57) in coded(plan(text).errors)


# --- month headers, cells ------------------------------------------------------


@pytest.mark.parametrize(
    "text, month",
    [
        ("Apr 2014", date(2014, 4, 1)),
        ("Jan-15", date(2015, 1, 1)),
        ("January 2015", date(2015, 1, 1)),
        ("Sept 2014", date(2014, 9, 1)),
        ("2015-01", date(2015, 1, 1)),
        ("2016-01-01", date(2016, 1, 1)),
        ("Target", None),
        ("June", None),
        ("2014", None),
        ("Mayday 2014", None),
    ],
)
def test_month_headers(text, month):
    assert layout.read_month_heading(text) == month


@pytest.mark.parametrize(
    "text, figure",
    [
        ("35.0%", layout.CellValue(Decimal("35.0"))),
        ("1,234", layout.CellValue(Decimal("1234"))),
        ("1,234.5", layout.CellValue(Decimal("1234.5"))),
        ("n/a", layout.CellValue(not_applicable=True)),
        ("N/A", layout.CellValue(not_applicable=True)),
        ("", layout.CellValue()),
        (" 7 ", layout.CellValue(Decimal("7"))),
    ],
)
def test_cells(text, figure):
    assert layout.parse_number(text) == figure


@pytest.mark.parametrize("text", ["abc", "1,23", "12..3", "1e5", "31 %x", "–", "TRUE"])
def test_anything_else_is_not_a_number(text):
    with pytest.raises(layout.CellError) as error:
        layout.parse_number(text)
    assert error.value.code == "not_a_number"


def test_a_cell_that_must_be_a_number_refuses_not_applicable():
    with pytest.raises(layout.CellError) as error:
        layout.parse_number("n/a", allow_not_applicable=False)
    assert error.value.code == "not_applicable_refused"


def test_titles_match_ignoring_case_spacing_punctuation_and_by_alias(measures_only):
    text = seed_text().replace("% repeat referrals\t", "  REPEAT referrals!!\t", 1)
    the_plan = plan(text)
    assert the_plan.errors == []
    assert {w.measure for w in the_plan.writes if w.row == 57} == {"% repeat referrals"}
    # the seed's own spelling is an alias
    assert {w.measure for w in the_plan.writes if w.row == 58} == {
        "% assessments completed in 45 days"
    }


# --- bad files: each its message, nothing written -----------------------------


def refused(content: bytes, filename="bad.txt") -> str:
    with pytest.raises(importing.FileRefused) as refusal:
        importing.plan_import(content, filename)
    return str(refusal.value)


def refusal_code(content: bytes, filename="bad.txt") -> str:
    with pytest.raises(importing.FileRefused) as refusal:
        importing.plan_import(content, filename)
    return refusal.value.code


def test_an_empty_file_is_refused(measures_only):
    assert refused(b"") == "The file is empty: it has no rows to import."
    assert refused(b"\xef\xbb\xbf \r\n\t\n") == "The file is empty: it has no rows to import."
    assert refusal_code(b"") == refusal_code(b"\xef\xbb\xbf \r\n\t\n") == "file_empty"


def test_a_binary_file_is_refused(measures_only):
    assert refused(bytes(range(256)) * 8, "photo.txt").startswith(
        "The file is not a spreadsheet: it contains binary data."
    )
    assert refused(b"%PDF-1.4 ...", "report.pdf").startswith(
        "The file is not a spreadsheet: it is a PDF document."
    )
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls").startswith(
        "The file is not a spreadsheet: it is an Excel 97-2003 workbook (.xls)."
    )
    assert refused(b"PK\x03\x04 this is no zip", "broken.xlsx").startswith(
        "The file is not a spreadsheet: it looks like a zip archive"
    )
    assert refusal_code(bytes(range(256)) * 8, "photo.txt") == "binary_data"
    assert {
        refusal_code(b"%PDF-1.4 ...", "report.pdf"),
        refusal_code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls"),
        refusal_code(b"PK\x03\x04 this is no zip", "broken.xlsx"),
    } == {"not_a_spreadsheet"}


def test_a_file_in_the_wrong_encoding_is_refused_naming_the_line(measures_only):
    text = seed_text().replace("Sickness Rate", "Sickness Rate – £")
    message = refused(text.encode("cp1252"), "bucks-ansi.txt")
    assert message.startswith("The file is not UTF-8 text: line 40 has the byte 0x96")
    assert "Windows-1252" in message
    assert refused("\ufeffMeasure\tApr 2014".encode("utf-16")).startswith("The file is in UTF-16")
    assert refusal_code(text.encode("cp1252")) == "not_utf8"
    assert refusal_code("\ufeffMeasure\tApr 2014".encode("utf-16")) == "utf16_text"


def test_utf8_with_a_byte_order_mark_is_read(measures_only):
    the_plan = plan(b"\xef\xbb\xbf" + seed_bytes())
    assert the_plan.errors == [] and len(the_plan.writes) == 101


def test_a_file_over_the_size_limit_is_refused(measures_only):
    with override_settings(IMPORT_MAX_BYTES=1000):
        assert refused(seed_bytes()).startswith(
            "The file is 3 KB: the largest file that can be imported is 1000 bytes."
        )
        assert refusal_code(seed_bytes()) == "file_too_large"


def test_a_file_of_50000_rows_is_refused_and_writes_nothing(measures_only):
    before = counts()
    content = b"Measure\tApr 2014\tMay 2014\n" + b"% repeat referrals\t1\t2\n" * 50_000
    assert refused(content) == (
        "The file has more than 5,000 rows: the most that can be "
        "imported at once. Split it, e.g. one year per file."
    )
    assert refusal_code(content) == "too_many_rows"
    assert counts() == before


def test_the_row_limit_counts_workbook_rows_too(measures_only):
    workbook = openpyxl.Workbook()
    for _ in range(60):
        workbook.active.append(["x", 1])
    out = io.BytesIO()
    workbook.save(out)
    with override_settings(IMPORT_MAX_ROWS=50):
        assert refused(out.getvalue(), "big.xlsx").startswith("The file has more than 50 rows")
        assert refusal_code(out.getvalue(), "big.xlsx") == "too_many_rows"


def assert_refused_and_nothing_written(the_plan, importer_user, expected, expected_error):
    before = counts()
    assert expected in coded(the_plan.errors)
    assert expected_error in messages(the_plan.errors)
    with pytest.raises(importing.ImportRefused) as refusal:
        importing.apply_plan(plan=the_plan, user=importer_user)
    assert refusal.value.code == "plan_has_errors"
    assert counts() == before


def test_an_unknown_measure_is_reported_and_nothing_written(measures_only, importer_user):
    text = seed_text().replace("% children seen during assessment", "% children seen by a GP")
    assert_refused_and_nothing_written(
        plan(text),
        importer_user,
        ("unknown_measure", 59),
        "Row 59: '% children seen by a GP' is not a measure this product knows (by title or "
        "alias). Add it as an alias of the measure it means, or remove the row. Nothing is "
        "imported until then.",
    )


def test_text_in_a_number_cell_names_row_and_column(measures_only, importer_user):
    text = seed_text().replace("\t29.0%\t33.0%", "\tabout 29\t33.0%", 1)
    assert_refused_and_nothing_written(
        plan(text),
        importer_user,
        ("not_a_number", 57),
        "Row 57, column D (May 2014): 'about 29' is not a number",
    )


def test_a_duplicate_month_column_is_refused(measures_only, importer_user):
    text = seed_text().replace("\tMay 2014\t", "\tApr 2014\t", 1)
    assert_refused_and_nothing_written(
        plan(text),
        importer_user,
        ("duplicate_month", 55),
        "Row 55: columns C and D are both April 2014: each month can be given once. Nothing "
        "in this table is imported.",
    )


def test_a_file_with_no_table_is_refused(measures_only, importer_user):
    assert_refused_and_nothing_written(
        plan("Dear colleagues,\nplease find the figures attached.\n"),
        importer_user,
        ("no_table", None),
        "No success-measure table or benchmark block was found. The table needs a header row "
        "with the measure title first and the months across (e.g. 'Measure, Baseline, Apr "
        "2014, May 2014, …').",
    )


def test_a_plan_made_before_the_data_changed_is_refused(measures_only, importer_user):
    the_plan = plan(seed_bytes(), SEED_NAME)
    importing.apply_plan(plan=plan(seed_bytes(), SEED_NAME), user=factories.user("po-other"))
    with pytest.raises(importing.ImportRefused, match="changed after the preview") as refusal:
        importing.apply_plan(plan=the_plan, user=importer_user)
    assert refusal.value.code == "changed_since_preview"


# --- CSV and XLSX ---------------------------------------------------------------


def seed_rows():
    return [line.split("\t") for line in seed_text().splitlines()]


def test_the_seed_as_csv_gives_the_same_plan(measures_only):
    out = io.StringIO()
    csv.writer(out).writerows(seed_rows())
    as_csv = plan(out.getvalue(), "bucks.csv")
    as_text = plan(seed_bytes(), "bucks.csv")
    assert as_csv.kind == "CSV"
    assert as_csv.errors == []
    assert as_csv.fingerprint == as_text.fingerprint


def workbook_bytes(rows, formats=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for (row, column), number_format in (formats or {}).items():
        sheet.cell(row=row, column=column).number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_seed_as_xlsx_with_numbers_and_percentage_formats_gives_the_same_plan(measures_only):
    """A real workbook holds 0.31 formatted as a percentage, not the text '31.0%'."""
    rows, formats = [], {}
    for r, cells in enumerate(seed_rows(), start=1):
        row = []
        for c, text in enumerate(cells, start=1):
            if text.endswith("%") and text[:-1].replace(".", "").isdigit():
                row.append(float(Decimal(text[:-1]) / 100))
                formats[(r, c)] = "0.0%"
            elif text.replace(".", "").isdigit() and "." in text:
                row.append(float(text))
            else:
                row.append(text or None)
        rows.append(row)
    as_xlsx = plan(workbook_bytes(rows, formats), "bucks.xlsx")
    assert as_xlsx.kind == "Excel workbook"
    assert as_xlsx.errors == []
    assert as_xlsx.fingerprint == plan(seed_bytes(), "bucks.xlsx").fingerprint


def test_xlsx_cells_are_read_as_decimals_never_via_floats():
    class Cell:
        def __init__(self, value, number_format="General"):
            self.value, self.number_format = value, number_format

    assert reading.cell_text(Cell(0.1 + 0.2)) == "0.3"
    assert reading.cell_text(Cell(0.31, "0.0%")) == "31%"
    assert reading.cell_text(Cell(0.668, "0.0%")) == "66.8%"
    assert reading.cell_text(Cell(1234)) == "1234"
    assert reading.cell_text(Cell(29.1)) == "29.1"
    assert reading.cell_text(Cell(None)) == ""


def test_a_workbook_with_several_sheets_reads_the_first_and_says_so(measures_only):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Scorecard"
    for cells in seed_rows():
        workbook.active.append([c or None for c in cells])
    workbook.create_sheet("Notes")
    out = io.BytesIO()
    workbook.save(out)
    the_plan = plan(out.getvalue(), "bucks.xlsx")
    assert "The workbook has 2 sheets: only the first, 'Scorecard', was read." in messages(
        the_plan.warnings
    )
    assert ("other_sheets_ignored", None) in coded(the_plan.warnings)
    assert len(the_plan.writes) == 101


# --- the command ------------------------------------------------------------------


def test_the_command_dry_run_prints_the_plan_and_writes_nothing(measures_only, tmp_path):
    path = tmp_path / SEED_NAME
    path.write_bytes(seed_bytes())
    out = io.StringIO()
    call_command("import_scorecard", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "101 to create, 0 to change, 0 errors" in text
    assert "create row 57   % repeat referrals: Monthly figure April 2014: – -> 35.0" in text
    assert "Dry run: nothing written." in text
    assert counts() == {
        "MonthlyReturn": 0,
        "ReturnValue": 0,
        "Target": 0,
        "Baseline": 0,
        "Benchmark": 0,
    }


def test_the_command_proposes_the_import_for_a_second_officer(
    measures_only, importer_user, tmp_path
):
    from scorecard import change_sets
    from scorecard.models import ImportChangeSet

    path = tmp_path / SEED_NAME
    path.write_bytes(seed_bytes())
    out = io.StringIO()
    call_command("import_scorecard", str(path), "--user", importer_user.username, stdout=out)
    assert "waiting for a second performance officer" in out.getvalue()
    assert counts()["ReturnValue"] == 0
    change_set = ImportChangeSet.objects.get(proposed_by=importer_user)
    checker = factories.user("po-checker", roles.PERFORMANCE_OFFICERS)
    change_sets.approve(user=checker, change_set=change_set)
    assert MonthlyReturn.objects.filter(approved_by=checker, source=SEED_NAME).count() == 10


def test_the_command_exits_non_zero_on_errors(measures_only, importer_user, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "bad.txt"
    path.write_text(seed_text().replace("\t29.0%\t", "\tabc\t", 1), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_scorecard", str(path), "--user", importer_user.username, stdout=out)
    assert "ERROR   Row 57, column D (May 2014): 'abc' is not a number" in out.getvalue()
    assert counts()["ReturnValue"] == 0
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import_scorecard", str(empty), "--dry-run", stdout=io.StringIO())


def test_the_command_needs_a_user_with_the_import_permission(measures_only, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / SEED_NAME
    path.write_bytes(seed_bytes())
    with pytest.raises(CommandError, match="--user"):
        call_command("import_scorecard", str(path), stdout=io.StringIO())
    factories.user("tm-x", roles.TEAM_MANAGERS)
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_scorecard", str(path), "--user", "tm-x", stdout=io.StringIO())
    assert counts()["MonthlyReturn"] == 0


def test_measures_keep_their_aliases_for_the_seeds_spellings(measures_only):
    assert (
        "% assesments completed in 45 days"
        in Measure.objects.get(code="assessments-45-days").aliases.splitlines()
    )


def test_a_return_reopened_after_the_preview_is_not_imported_into(sample, importer_user):
    text = seed_text().replace("31.0%\t\t\t23.4%", "30.0%\t\t\t23.4%", 1)  # January changes
    the_plan = plan(text, SEED_NAME)
    assert not the_plan.errors and the_plan.changes
    january = MonthlyReturn.objects.get(area__parent__isnull=True, month=date(2015, 1, 1))
    MonthlyReturn.objects.filter(pk=january.pk).update(
        status=MonthlyReturn.Status.RETURNED, approved_by=None, approved_at=None, reason="Reopened"
    )
    before = counts()
    with pytest.raises(importing.ImportRefused) as refusal:
        importing.apply_plan(plan=the_plan, user=importer_user)
    assert refusal.value.code == "changed_since_preview"  # the re-plan under the lock sees it
    assert counts() == before
    assert MonthlyReturn.objects.get(pk=january.pk).status == MonthlyReturn.Status.RETURNED


def test_every_finding_code_is_distinct():
    """Two findings with one code could not be told apart by what acts on a plan."""
    values = [
        value for name, value in vars(findings).items() if name.isupper() and isinstance(value, str)
    ]
    assert len(values) == len(set(values)) > 40
