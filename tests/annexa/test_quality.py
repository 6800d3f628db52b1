"""Data-quality findings: counted per team with a code, never the child's details."""

from datetime import date

from annexa import quality, reading
from annexa.derivations import AUTHORITY
from tests.annexa.workbooks import annex_a

EXTRACTED = date(2026, 11, 3)


def d(text):
    return date.fromisoformat(text)


def test_each_finding_is_counted_for_the_team_and_the_authority():
    content = annex_a(
        {
            3: [
                {"child_id": "K1", "referral_date": d("2026-10-10"), "team": "North"},
                {"child_id": "K2", "referral_date": d("2026-10-01"), "team": "North"},
            ],
            4: [
                # K1's assessment started before its only referral; K2's after
                {"child_id": "K1", "assessment_start": d("2026-10-05"), "team": "North"},
                {"child_id": "K2", "assessment_start": d("2026-10-02"), "team": "North"},
            ],
            5: [
                {
                    "child_id": "K3",
                    "strategy_date": d("2026-10-10"),
                    "icpc_date": d("2026-10-09"),
                    "team": "South",
                },
                {
                    "child_id": "K4",
                    "strategy_date": d("2026-10-10"),
                    "icpc_date": d("2026-10-20"),
                    "team": "South",
                },
            ],
            7: [
                {
                    "child_id": "K5",
                    "cp_start": d("2026-10-10"),
                    "cp_end": d("2026-10-01"),
                    "team": "South",
                },
                # K2 is North's in List 3: in two teams
                {"child_id": "K2", "cp_start": d("2026-10-10"), "team": "South"},
            ],
            8: [
                {"child_id": "K6", "cla_start": d("2026-12-01"), "team": "North"},
            ],
        }
    )
    found = quality.findings(reading.read_workbook(content), EXTRACTED)
    as_counts = {team: {f.code: f.count for f in items} for team, items in found.items()}
    assert as_counts["north"] == {
        quality.REFERRAL_AFTER_ASSESSMENT: 1,
        quality.CHILD_IN_TWO_TEAMS: 1,
        quality.FUTURE_DATE: 1,
    }
    assert as_counts["south"] == {
        quality.ICPC_BEFORE_STRATEGY: 1,
        quality.ENDS_BEFORE_START: 1,
        quality.CHILD_IN_TWO_TEAMS: 1,
    }
    assert as_counts[AUTHORITY] == {
        quality.REFERRAL_AFTER_ASSESSMENT: 1,
        quality.ICPC_BEFORE_STRATEGY: 1,
        quality.ENDS_BEFORE_START: 1,
        quality.CHILD_IN_TWO_TEAMS: 1,
        quality.FUTURE_DATE: 1,
    }
    assert found["south"][0].sentence() == "A child is allocated to two teams in the lists: 1 time."


def test_unreadable_cells_are_counted_by_list_and_column():
    content = annex_a({3: [{"child_id": "K1", "referral_date": "someday", "team": "North"}]})
    sentences = quality.unreadable(reading.read_workbook(content))
    assert sentences == [
        "List 3, 'Date of Referral': 1 value could not be read and counted as blank."
    ]
