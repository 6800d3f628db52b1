"""The floor: what the database itself takes to compute the same cells as a full
recalculation, in one hand-written `INSERT … SELECT` into an unlogged table.

For every measure, area and month the engine writes (each area-level measure for
every active area and the authority, each authority-level measure for the
authority), it computes the outturn (numerator ÷ denominator × 100, the count,
the count per 10,000 children of the area's population that year, or the value;
the authority's from its areas' figures summed), the in-year target in force and
a RAG rating (shortfall against the Green band and the tolerance, in points or
relative). It leaves out what the engine does besides: year to date, rolling 12
months, directions of travel, benchmark comparisons, small-number suppression,
frequencies, revisions and publication, and the workforce turnover's 12-month
window (its cells are there, without a figure). A lower bound, not a rival.
"""

from datetime import date

from django.db import connection

TABLE = "bench_floor"

CREATE = f"""
CREATE UNLOGGED TABLE IF NOT EXISTS {TABLE} (
    measure_id bigint, area_id bigint, month date,
    numerator numeric, denominator numeric, value numeric, target numeric, rating varchar(5)
)
"""

# The workforce measures' parts from the teams' staffing figures (workforce.formulas).
STAFFING_PARTS = """
    ('sickness-rate', s.days_lost, s.days_available),
    ('vacancy-rate', s.vacancies_fte, s.establishment_fte),
    ('agency-rate', s.agency_fte, s.fte_in_post + s.agency_fte),
    ('average-caseload', s.open_cases, s.fte_in_post)
"""

INSERT = f"""
INSERT INTO {TABLE} (measure_id, area_id, month, numerator, denominator, value, target, rating)
WITH months AS (
    SELECT generate_series(%(first)s::date, %(last)s::date, interval '1 month')::date AS month
),
authority AS (SELECT id FROM scorecard_servicearea WHERE parent_id IS NULL),
cells AS (
    SELECT m.id AS measure_id, a.id AS area_id, mo.month
    FROM scorecard_measure m
    JOIN scorecard_servicearea a ON a.active AND (m.level = 'area' OR a.parent_id IS NULL)
    CROSS JOIN months mo
    WHERE m.active
),
entered AS (
    SELECT v.measure_id, r.area_id, r.month, v.numerator, v.denominator, v.value
    FROM scorecard_returnvalue v
    JOIN scorecard_monthlyreturn r ON r.id = v.monthly_return_id
    WHERE r.status = 'approved' AND v.not_applicable_reason = ''
    UNION ALL
    SELECT m.id, r.area_id, r.month, x.numerator, x.denominator, NULL
    FROM workforce_staffing s
    JOIN scorecard_monthlyreturn r ON r.id = s.monthly_return_id AND r.status = 'approved'
    CROSS JOIN LATERAL (VALUES {STAFFING_PARTS}) AS x(code, numerator, denominator)
    JOIN scorecard_measure m ON m.code = x.code
),
figures AS (
    SELECT * FROM entered
    UNION ALL
    SELECT e.measure_id, (SELECT id FROM authority), e.month,
           sum(e.numerator), sum(e.denominator), NULL
    FROM entered e
    JOIN scorecard_servicearea a ON a.id = e.area_id AND a.parent_id IS NOT NULL
    GROUP BY e.measure_id, e.month
)
SELECT c.measure_id, c.area_id, c.month, f.numerator, f.denominator, o.outturn, t.value,
    CASE
        WHEN g.gap IS NULL THEN 'none'
        WHEN g.gap <= 0 OR g.gap <= g.band THEN 'green'
        WHEN g.gap <= g.allowed THEN 'amber'
        ELSE 'red'
    END
FROM cells c
JOIN scorecard_measure m ON m.id = c.measure_id
LEFT JOIN figures f
    ON f.measure_id = c.measure_id AND f.area_id = c.area_id AND f.month = c.month
LEFT JOIN scorecard_population p
    ON p.area_id = c.area_id AND p.year = extract(year FROM c.month)
LEFT JOIN LATERAL (
    SELECT value FROM scorecard_target
    WHERE measure_id = c.measure_id AND kind = 'in_year' AND starts <= c.month
    ORDER BY starts DESC LIMIT 1
) t ON true
CROSS JOIN LATERAL (
    SELECT round(CASE
        WHEN m.entry = 'ratio' THEN f.numerator * 100 / nullif(f.denominator, 0)
        WHEN m.unit = 'rate_10k' THEN f.numerator * 10000 / nullif(p.children_0_17, 0)
        WHEN m.entry = 'count' THEN f.numerator
        ELSE coalesce(f.value, f.numerator / nullif(f.denominator, 0))
    END, m.decimal_places) AS outturn
) o
CROSS JOIN LATERAL (
    SELECT
        CASE m.polarity WHEN 'higher' THEN t.value - o.outturn
                        WHEN 'lower' THEN o.outturn - t.value END AS gap,
        CASE m.tolerance_kind WHEN 'points' THEN m.green_band
                              ELSE abs(t.value) * m.green_band / 100 END AS band,
        CASE m.tolerance_kind WHEN 'points' THEN m.tolerance
                              ELSE abs(t.value) * m.tolerance / 100 END AS allowed
) g
"""  # noqa: S608 - constants, no input

# How many of the floor's ratings are the engine's (a check that it computed the
# same thing; suppressed, not-due and too-few-to-rate cells differ by design).
AGREEMENT = f"""
SELECT count(*) FILTER (WHERE f.rating = r.rating), count(*)
FROM {TABLE} f
JOIN scorecard_scorecardresult r
    ON r.measure_id = f.measure_id AND r.area_id = f.area_id AND r.month = f.month
"""  # noqa: S608 - constants, no input


def compute(first: date, last: date) -> int:
    """Fill the floor's table for the months; the number of cells."""
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
        cursor.execute(f"TRUNCATE {TABLE}")
        cursor.execute(INSERT, {"first": first, "last": last})
        return cursor.rowcount


def agreement() -> tuple[int, int]:
    """(cells rated as the engine rated them, cells compared)."""
    with connection.cursor() as cursor:
        cursor.execute(AGREEMENT)
        return cursor.fetchone()
