"""Counts checked against a plain count of generated lists (hypothesis varies
the rows, dates and teams), and pooling: the teams' figures add up to the
authority's for every derivation."""

from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annexa import derivations, reading
from tests.annexa.workbooks import annex_a

EXTRACTED = date(2026, 11, 3)
MONTH_ENDS = {date(2026, m, 1): date(2026, m + 1, 1) - timedelta(days=1) for m in range(1, 11)}

days = st.dates(min_value=date(2025, 10, 1), max_value=date(2026, 11, 2))
teams = st.sampled_from(["North", "South", "East"])
referral = st.fixed_dictionaries(
    {
        "child_id": st.text("ABC123", min_size=1, max_size=4),
        "referral_date": days,
        "nfa": st.sampled_from(["a) Yes", "b) No", None]),
        "previous_referrals": st.integers(0, 3),
        "team": teams,
    }
)
plan = st.fixed_dictionaries(
    {
        "child_id": st.text("ABC123", min_size=1, max_size=4),
        "cp_start": days,
        "cp_end": st.one_of(st.none(), days),
        "previous_plans": st.integers(0, 2),
        "team": teams,
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(referral, max_size=30), st.lists(plan, max_size=30))
def test_counts_match_a_plain_count_and_the_teams_add_up(referrals, plans):
    book = reading.read_workbook(annex_a({3: referrals, 7: plans}))
    counts = derivations.count(book, EXTRACTED)
    for month in counts.months:
        end = MONTH_ENDS.get(month)
        expected = Counter(
            r["team"].casefold() for r in referrals if r["referral_date"].replace(day=1) == month
        )
        on_plan = Counter(
            p["team"].casefold()
            for p in plans
            if end and p["cp_start"] <= end and (p["cp_end"] is None or p["cp_end"] > end)
        )
        for team in ("north", "south", "east"):
            got = counts.figures.get(("referrals-count", team, month), (0, None))[0]
            assert got == expected[team]
            if end:
                got = counts.figures.get(("cp-count", team, month), (0, None))[0]
                assert got == on_plan[team]
    for (code, team, month), (numerator, denominator) in counts.figures.items():
        if team != derivations.AUTHORITY:
            continue
        parts = [
            figures
            for (c, t, m), figures in counts.figures.items()
            if c == code and m == month and t != derivations.AUTHORITY
        ]
        assert sum(n for n, _ in parts) == numerator
        assert sum(d or 0 for _, d in parts) == (denominator or 0)
