"""Each derivation on a workbook counted by hand (extracted 3 November 2026:
the window is September and October 2026; teams North and South)."""

from datetime import date

import pytest

from annexa import derivations, reading
from scorecard import library
from tests.annexa.workbooks import annex_a

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
EXTRACTED = date(2026, 11, 3)
N, S, ALL = "north", "south", derivations.AUTHORITY


def d(text):
    return date.fromisoformat(text)


def row(team, **fields):
    return {"team": {"N": "North", "S": "South"}[team], **fields}


HAND_COUNTED = {
    3: [
        row("N", child_id="R1", referral_date=d("2026-10-05"), nfa="b) No", previous_referrals=0),
        row("N", child_id="R2", referral_date="20/10/2026", nfa="a) Yes", previous_referrals=1),
        row("S", child_id="R3", referral_date=d("2026-10-31"), nfa="No", previous_referrals=2),
        row("S", child_id="R4", referral_date=d("2026-09-15"), nfa="Yes", previous_referrals=0),
        row("N", child_id="R5", referral_date=d("2026-11-01"), nfa="No", previous_referrals=0),
    ],
    4: [
        # 45 working days: 31 August 2026 is a bank holiday
        row(
            "N",
            child_id="A1",
            assessment_start=d("2026-08-03"),
            assessment_authorised=d("2026-10-06"),
            child_seen="Yes",
        ),
        row(
            "N",
            child_id="A2",
            assessment_start=d("2026-08-03"),
            assessment_authorised=d("2026-10-07"),
            child_seen="No",
        ),  # 46
        row(
            "S",
            child_id="A3",
            assessment_start=d("2026-10-01"),
            assessment_authorised=d("2026-10-29"),
            child_seen="a) Yes",
        ),  # 20
        row("S", child_id="A4", assessment_start=d("2026-09-01"), child_seen="Yes"),
    ],
    5: [
        row("N", child_id="S1", strategy_date=d("2026-10-01"), icpc_date=d("2026-10-22")),  # 15
        row("N", child_id="S2", strategy_date=d("2026-10-01"), icpc_date=d("2026-10-23")),  # 16
        row("S", child_id="S3", strategy_date=d("2026-10-12")),
        row("S", child_id="S4", strategy_date=d("2026-09-28"), icpc_date=d("2026-10-02")),  # 4
    ],
    6: [
        row("N", child_id="N1", cin_start=d("2026-06-01")),
        row("N", child_id="N2", cin_start=d("2026-09-30"), cin_end=d("2026-10-31")),
        row("S", child_id="N3", cin_start=d("2026-10-31")),
    ],
    7: [
        row("N", child_id="P1", cp_start=d("2026-10-10"), previous_plans=0),
        row("N", child_id="P2", cp_start=d("2026-10-15"), previous_plans=2),
        row(
            "S", child_id="P3", cp_start=d("2026-09-10"), previous_plans="1", cp_end=d("2026-10-20")
        ),
    ],
    8: [
        row("N", child_id="L1", cla_start=d("2025-01-01"), placements_12m=3),
        row("N", child_id="L2", cla_start=d("2026-10-01"), placements_12m=1),
        row(
            "S", child_id="L3", cla_start=d("2024-05-05"), cla_end=d("2026-09-30"), placements_12m=4
        ),
        row("S", child_id="L4", cla_start=d("2026-02-01"), placements_12m="4"),
    ],
    9: [
        row(
            "N",
            child_id="C1",
            in_touch="Yes",
            suitable="Suitable",
            activity="F1: Full time in higher education",
        ),
        row(
            "N",
            child_id="C2",
            in_touch="No",
            suitable="b) Unsuitable",
            activity="G6: NEET due to pregnancy or parenting",
        ),
        row("S", child_id="C3", in_touch="a) Yes", suitable="a) Yes", activity="P5"),
    ],
}

# (measure, team, month): (numerator, denominator), counted by hand from the rows above
EXPECTED = {
    ("referrals-count", N, OCT): (2, None),
    ("referrals-count", S, OCT): (1, None),
    ("referrals-count", ALL, OCT): (3, None),
    ("referrals-count", S, SEP): (1, None),
    ("referrals-count", N, SEP): (0, None),
    ("referral-rate", ALL, OCT): (3, None),
    ("re-referrals-12-months", N, OCT): (1, 2),
    ("re-referrals-12-months", S, OCT): (1, 1),
    ("re-referrals-12-months", ALL, OCT): (2, 3),
    ("re-referrals-12-months", S, SEP): (0, 1),
    ("referrals-nfa", N, OCT): (1, 2),
    ("referrals-nfa", S, OCT): (0, 1),
    ("referrals-nfa", ALL, SEP): (1, 1),
    ("assessments-completed", N, OCT): (2, None),
    ("assessments-completed", S, OCT): (1, None),
    ("assessments-completed", ALL, SEP): (0, None),
    ("assessments-45-days", N, OCT): (1, 2),
    ("assessments-45-days", S, OCT): (1, 1),
    ("assessments-45-days", ALL, OCT): (2, 3),
    ("children-seen-assessment", N, OCT): (1, 2),
    ("children-seen-assessment", ALL, OCT): (2, 3),
    ("s47-count", N, OCT): (2, None),
    ("s47-count", S, OCT): (1, None),
    ("s47-count", S, SEP): (1, None),
    ("s47-rate", ALL, OCT): (3, None),
    ("s47-to-icpc", N, OCT): (2, 2),
    ("s47-to-icpc", S, OCT): (0, 1),
    ("s47-to-icpc", S, SEP): (1, 1),
    ("s47-to-icpc", ALL, OCT): (2, 3),
    ("icpc-15-days", N, OCT): (1, 2),
    ("icpc-15-days", S, OCT): (1, 1),
    ("icpc-15-days", ALL, SEP): (0, 0),
    ("cin-count", N, SEP): (2, None),
    ("cin-count", N, OCT): (1, None),
    ("cin-count", S, SEP): (0, None),
    ("cin-count", S, OCT): (1, None),
    ("cin-rate", ALL, SEP): (2, None),
    ("cin-rate", ALL, OCT): (2, None),
    ("cp-count", N, SEP): (0, None),
    ("cp-count", S, SEP): (1, None),
    ("cp-count", N, OCT): (2, None),
    ("cp-count", S, OCT): (0, None),
    ("cp-rate", ALL, OCT): (2, None),
    ("cp-second-subsequent", N, OCT): (1, 2),
    ("cp-second-subsequent", S, SEP): (1, 1),
    ("cp-second-subsequent", S, OCT): (0, 0),
    ("cla-count", N, SEP): (1, None),
    ("cla-count", S, SEP): (1, None),
    ("cla-count", N, OCT): (2, None),
    ("cla-count", S, OCT): (1, None),
    ("cla-rate", ALL, OCT): (3, None),
    ("cla-3-placements", N, OCT): (1, 2),
    ("cla-3-placements", S, OCT): (1, 1),
    ("care-leavers-in-touch", N, OCT): (1, 2),
    ("care-leavers-in-touch", S, OCT): (1, 1),
    ("care-leavers-suitable-accommodation", N, OCT): (1, 2),
    ("care-leavers-suitable-accommodation", ALL, OCT): (2, 3),
    ("care-leavers-eet", N, OCT): (1, 2),
    ("care-leavers-eet", S, OCT): (1, 1),
}


@pytest.fixture(scope="module")
def counts():
    book = reading.read_workbook(annex_a(HAND_COUNTED))
    return derivations.count(book, EXTRACTED)


def test_the_window_is_the_whole_months_the_lists_describe(counts):
    assert counts.months == [SEP, OCT]


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items()), ids=lambda v: str(v))
def test_each_derivation_gives_the_hand_counted_figures(counts, key, expected):
    assert counts.figures[key] == expected


def test_every_derivation_is_checked_by_a_hand_count():
    assert {d.measure for d in derivations.derivations()} == {code for code, *_ in EXPECTED}


def test_figures_as_at_the_extract_are_given_for_its_month_only(counts):
    assert ("care-leavers-in-touch", N, SEP) not in counts.figures
    assert ("cla-3-placements", ALL, SEP) not in counts.figures


def test_derivations_name_library_measures_and_the_lists_columns():
    codes = library.by_code()
    for derivation in derivations.derivations():
        assert derivation.measure in codes
        entry = codes[derivation.measure]
        assert derivation.is_ratio == (entry.entry == "ratio"), derivation.measure
        columns = {column.field for column in reading.LISTS[derivation.list][1]}
        assert derivation.fields() <= columns, derivation.measure


def test_a_missing_list_or_column_is_named_and_its_measures_get_no_figures():
    book = reading.read_workbook(annex_a({3: HAND_COUNTED[3]}, drop=("nfa",)))
    counts = derivations.count(book, EXTRACTED)
    assert (
        counts.unavailable["referrals-nfa"] == "List 3 (Referrals) has no column 'Referral NFA?'."
    )
    assert (
        counts.unavailable["cp-count"] == "List 7 (Child protection plans) is not in the workbook."
    )
    assert not any(key[0] in ("referrals-nfa", "cp-count") for key in counts.figures)
    assert counts.figures[("referrals-count", N, OCT)] == (2, None)
