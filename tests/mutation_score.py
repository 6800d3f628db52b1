#!/usr/bin/env python3
"""The score of a `mutmut run` (`make mutation`): per module, the mutants killed of
those that can change behaviour, and each survivor with its diff.

Usage:
    python tests/mutation_score.py [--minimum PERCENT] PATTERN [PATTERN ...]

PATTERNs are the mutant names `mutmut run` was given (fnmatch, as mutmut reads
them: "scorecard.rag.*", "scorecard.engine.x_pooled*"); only the mutants they
match are scored. Exit code 1 when a module scores below the minimum (95 unless
given), when a mutant matched was never run, or when an entry of EQUIVALENT no
longer names the mutant it describes (the function changed: look again).
"""

from __future__ import annotations

import argparse
import collections
import fnmatch
import os
import re
import subprocess
import sys

MUTMUT = os.path.join(os.path.dirname(sys.executable), "mutmut")

# Mutants no test could ever tell from the original, so they are not scored:
# name -> (text of the mutated line, which must still be in its diff; why).
EQUIVALENT = {
    "scorecard.rag.x_round_to__mutmut_8": (
        "Decimal(2).scaleb(-places)",
        "quantize() takes only the exponent of its argument: 2E-n has the exponent of 1E-n",
    ),
    "scorecard.rag.x_rate__mutmut_14": (
        "if gap < 0 or gap <=",
        "at gap 0 the Green-band test that follows is 0 <= band, true as no band is negative "
        "(measure_green_band_not_negative)",
    ),
    "scorecard.rag.x_direction__mutmut_7": (
        "went_up = current >= previous",
        "equal values have already returned 'unchanged'",
    ),
    "scorecard.rag.x_compare__mutmut_7": (
        "above = value >= benchmark",
        "equal values have already returned 'same'",
    ),
    "scorecard.aggregation.x_total__mutmut_8": (
        "return sum(present, ) if present else None",
        "the list is not empty, and 0 + Decimal(x) is Decimal(x), value and exponent alike",
    ),
    "scorecard.aggregation.x_pooled_percentage__mutmut_13": (
        "sum((n for n, _ in complete), ), sum((d",
        "the pairs are not empty, and 0 + Decimal(x) is Decimal(x)",
    ),
    "scorecard.aggregation.x_pooled_percentage__mutmut_19": (
        "sum((d for _, d in complete), )",
        "the pairs are not empty, and 0 + Decimal(x) is Decimal(x)",
    ),
    "workforce.formulas.x_turnover__mutmut_10": (
        "leavers = sum((leavers for leavers, _ in months), )",
        "twelve months are present, and 0 + Decimal(x) is Decimal(x)",
    ),
    "workforce.formulas.x_turnover__mutmut_18": (
        "average_in_post = sum((in_post for _, in_post in months), ) / TURNOVER_MONTHS",
        "twelve months are present, and 0 + Decimal(x) is Decimal(x)",
    ),
    "scorecard.validation.x_read_figure__mutmut_15": (
        "number.quantize(Decimal(2).scaleb(-places))",
        "quantize() takes only the exponent of its argument: 2E-n has the exponent of 1E-n",
    ),
    "scorecard.validation.x_check__mutmut_16": (
        "findings = [Finding(f.code, f.message, f.field, HARD) for f in soft]",
        "findings is empty here: every finding before the soft checks is hard and returned",
    ),
    "scorecard.validation.x_check__mutmut_26": (
        "findings = soft",
        "findings is empty here: every finding before the soft checks is hard and returned",
    ),
    "scorecard.engine.x__figure_at__mutmut_6": (
        "series.get(month, (None, 1, 0))",
        "the default's counts are unpacked into _ and never read",
    ),
    "scorecard.engine.x__figure_at__mutmut_7": (
        "series.get(month, (None, 0, 1))",
        "the default's counts are unpacked into _ and never read",
    ),
    "scorecard.engine.x__pooled_over__mutmut_6": (
        "series.get(m, (None, 1, 0))",
        "the default's counts are unpacked into _ and never read",
    ),
    "scorecard.engine.x__pooled_over__mutmut_7": (
        "series.get(m, (None, 0, 1))",
        "the default's counts are unpacked into _ and never read",
    ),
    "scorecard.spc.x_running_limits__mutmut_8": (
        "state = state.add(value, keep=2)",
        "the limits read only the last point kept (the moving range's); a second one kept "
        "is never read, and running_limits returns only the limits",
    ),
    "scorecard.engine.x_withheld_figures__mutmut_27": (
        "is_authority=None,",
        "disclosure.suppressed reads is_authority only as a truth value: None is as false",
    ),
    "scorecard.workflow.x_check__mutmut_16": (
        'status[0] in "XXaeiouXX"',
        "no status starts with X, so the vowels decide as before",
    ),
    "scorecard.workflow.x_allowed__mutmut_18": (
        'reason="XXxXX"',
        "any reason that is not blank lets a transition that needs one through",
    ),
    "scorecard.workflow.x_allowed__mutmut_19": (
        'reason="X"',
        "any reason that is not blank lets a transition that needs one through",
    ),
    "scorecard.concern.x__signal_words__mutmut_7": (
        "below = value <= _mean(result)",
        "no point a rule flags lies on its chart's exact mean (on it a run breaks, and it is "
        "near no limit and beyond none); a result kept without its chart's state has only "
        "the rounded mean, and a point equal to that may lie on either side",
    ),
    "scorecard.concern.x_assess__mutmut_7": (
        "if result.value is None and result.not_applicable:",
        "a figure not applicable has no value (figures.comparable), and a month without a "
        "value has no rating, direction, chart point or gap: no parts either way",
    ),
    "scorecard.concern.x_score__mutmut_4": (
        "return sum((part.score for part in parts), )",
        "rank scores only results with parts, and 0 + Decimal(x) is Decimal(x); the score "
        "of no parts is 0 either way",
    ),
}

KILLED = {"killed", "caught by type check"}
RESULT = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+?)\s*$")


def results() -> dict[str, str]:
    listing = subprocess.run(
        [MUTMUT, "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    return {m["name"]: m["status"] for m in map(RESULT.match, listing.splitlines()) if m}


def diff(name: str) -> str:
    shown = subprocess.run([MUTMUT, "show", name], capture_output=True, text=True).stdout
    return "\n".join(
        line for line in shown.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    )


def module_of(name: str) -> str:
    return name.partition("__mutmut_")[0].rpartition(".")[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("--minimum", type=float, default=95.0)
    parser.add_argument("patterns", nargs="+")
    args = parser.parse_args()

    statuses = {
        name: status
        for name, status in results().items()
        if any(fnmatch.fnmatch(name, pattern) for pattern in args.patterns)
    }
    if not statuses:
        print("No mutants match: run `make mutation` first.", file=sys.stderr)
        return 1
    failed = False
    equivalent = {}
    for name, (mutated, why) in EQUIVALENT.items():
        if name not in statuses:
            continue
        if mutated not in diff(name):
            print(
                f"STALE equivalent entry {name}: its diff no longer has {mutated!r}; "
                "look at `mutmut show` again and update EQUIVALENT",
                file=sys.stderr,
            )
            failed = True
            continue
        equivalent[name] = why

    by_module = collections.defaultdict(collections.Counter)
    survivors = []
    for name, status in sorted(statuses.items()):
        if name in equivalent:
            by_module[module_of(name)]["equivalent"] += 1
            continue
        counted = "killed" if status in KILLED else status
        by_module[module_of(name)][counted] += 1
        if counted != "killed":
            survivors.append((name, status))
            failed = failed or status == "not checked"

    print(f"\n{'module':24} {'killed':>7} / {'scored':<7} {'score':>6}  equivalent")
    for module, counts in sorted(by_module.items()):
        scored = sum(n for status, n in counts.items() if status != "equivalent")
        score = 100 * counts["killed"] / scored if scored else 100.0
        low = score < args.minimum
        failed = failed or low
        print(
            f"{module:24} {counts['killed']:>7} / {scored:<7} {score:5.1f}%  "
            f"{counts['equivalent']:>10}{'  BELOW ' + str(args.minimum) + '%' if low else ''}"
        )
    for name, status in survivors:
        print(f"\n{status}: {name}\n{diff(name)}")
    if equivalent:
        print("\nNot scored (equivalent):")
        for name, why in equivalent.items():
            print(f"  {name}: {why}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
