"""Reading Annex A workbooks as they come from the case-management systems."""

from datetime import date, datetime

import pytest

from annexa import reading
from tests.annexa.workbooks import workbook

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("List 3", 3),
        ("L3 Referrals", 3),
        ("Annex A List 8 - Children in care", 8),
        ("list_09 care leavers", 9),
        ("LIST 4", 4),
        ("Notes", None),
        ("Annex A", None),
        ("Lookups 2026", None),
        ("List 13", None),
    ],
)
def test_a_sheet_is_known_by_its_list_number_however_it_is_named(name, number):
    assert reading.list_number(name) == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2026, 10, 3, 9, 30), date(2026, 10, 3)),
        (date(2026, 10, 3), date(2026, 10, 3)),
        (46298, date(2026, 10, 3)),  # an Excel serial number left unformatted
        ("03/10/2026", date(2026, 10, 3)),
        ("3/10/26", date(2026, 10, 3)),
        ("2026-10-03", date(2026, 10, 3)),
        ("3 October 2026", date(2026, 10, 3)),
        (f"{NBSP}03/10/2026 ", date(2026, 10, 3)),
        ("31/02/2026", None),
        ("soon", None),
    ],
)
def test_dates_are_read_as_a_person_reads_them(raw, expected):
    assert reading.read_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a) Yes", True),
        ("b) No", False),
        ("Y", True),
        ("n", False),
        ("No", False),
        (f"Yes{NBSP}", True),
        ("c) Unknown", None),
        (1, True),
    ],
)
def test_yes_and_no_are_read_with_their_prefixes(raw, expected):
    assert reading.read_yes_no(raw) is expected


def test_codes_and_counts_are_read_with_their_prefixes():
    assert reading.read_code("F1: Full time in higher education") == "F1"
    assert reading.read_code("g6 - NEET: pregnancy or parenting") == "G6"
    assert reading.read_count(3) == 3
    assert reading.read_count("4") == 4
    assert reading.read_count(2.0) == 2
    assert reading.read_count("many") is None
    assert reading.read_suitable("a) Suitable") is True
    assert reading.read_suitable("b) Unsuitable") is False


def test_an_untidy_sheet_is_read_with_its_headings_found_below_a_title_and_extra_columns():
    content = workbook(
        {
            "Contents": [["Annex A lists for inspection"]],
            "L3 Referrals": [
                ["List 3: Referrals (exported 3 Nov 2026)"],
                [],
                [
                    "CHILD UNIQUE ID",
                    "Gender",
                    f"Date of{NBSP}Referral",
                    "Referral NFA?",
                    "Number of referrals in last 12 months",
                    "allocated team",
                    "Allocated Worker",
                ],
                ["C1", "a) Male", "03/10/2026", "b) No", 0, "Team North", "W One"],
                ["C2", "b) Female", 46298, "a) Yes", "#N/A", f"Team{NBSP}North ", None],
                [None, None, None, None, None, None, None],
                ["C3", None, "not a date", "", 2, "=A1", None],
            ],
        }
    )
    book = reading.read_workbook(content)
    assert book.ignored_sheets == ["Contents"]
    rows = book.lists[3]
    assert rows.columns == {"child_id", "referral_date", "nfa", "previous_referrals", "team"}
    assert [r["referral_date"] for r in rows.rows] == [date(2026, 10, 3), date(2026, 10, 3), None]
    assert [r["nfa"] for r in rows.rows] == [False, True, None]
    assert [r["previous_referrals"] for r in rows.rows] == [0, None, 2]
    assert rows.rows[1]["team"] == "Team North"
    # the unreadable date is counted, its value never kept
    assert rows.unreadable == {"referral_date": 1}
    # a formula never calculated (saved by openpyxl, not Excel) has no value: blank
    assert rows.rows[2]["team"] is None


def test_a_file_that_is_no_workbook_is_refused_with_a_message():
    with pytest.raises(reading.WorkbookRefused, match="not an Excel workbook"):
        reading.read_workbook(b"Child Unique ID,Date of Referral\nC1,03/10/2026\n")
    with pytest.raises(reading.WorkbookRefused, match="empty"):
        reading.read_workbook(b"")


def test_the_example_workbook_is_read_whole():
    from pathlib import Path

    content = (Path(__file__).parents[1] / "data" / "annexa" / "example.xlsx").read_bytes()
    book = reading.read_workbook(content)
    assert sorted(book.lists) == [3, 4, 5, 6, 7, 8, 9]
    assert book.lists[8].sheet == "Annex A List 8 Children in care"  # Excel: 31 characters at most
    assert all(
        rows.columns == {c.field for c in reading.LISTS[n][1]} for n, rows in book.lists.items()
    )
