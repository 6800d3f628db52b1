"""`make bench`: the product measured at two sizes on PostgreSQL, written to
docs/benchmarks.md. Timings are reported, never asserted.

Run under tests/services.py (as `make bench` does), which gives DATABASE_URL
(a throwaway PostgreSQL, as its owner role) and REDIS_URL. For each size a fresh
database is made from one migrated template, filled by `manage.py
generate_benchmark_data`, and measured by `benchmarks.steps`, one process per
step: the parent reads each child's peak memory (its RSS high-water mark) from
wait4.

    python -m benchmarks.run [--output docs/benchmarks.md] [--sizes quarter,full]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "config.settings.bench"
TEMPLATE = "bench_template"
SEED = 1


@dataclass(frozen=True)
class Size:
    name: str
    areas: int
    measures: int
    years: int

    @property
    def database(self) -> str:
        return f"bench_{self.name}"

    @property
    def words(self) -> str:
        return f"{self.areas} areas × {self.measures} measures × {self.years} years"


SIZES = {
    # a quarter of the areas, every measure: what grows with the areas shows
    "quarter": Size("quarter", 10, 120, 5),
    "full": Size("full", 40, 120, 5),
    # a try-out of the bench itself in a few seconds: --sizes smoke
    "smoke": Size("smoke", 3, 12, 1),
}


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def server_address() -> dict:
    url = urlparse(os.environ["DATABASE_URL"])
    query = parse_qs(url.query)
    return {
        "user": url.username or "",
        "host": url.hostname or query.get("host", [""])[0],
        "port": str(url.port or query.get("port", [""])[0]),
    }


def database_url(name: str) -> str:
    address = server_address()
    return f"postgres://{address['user']}@/{name}?host={address['host']}&port={address['port']}"


def admin(sql: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **server_address()) as conn:
        conn.execute(sql)


def analyze(database: str) -> None:
    """Statistics for the planner, as autovacuum would soon gather them: without
    them the floor's first `INSERT … SELECT` after the data is written is planned
    blind (six minutes at the full size, three seconds with them)."""
    with psycopg.connect(dbname=database, autocommit=True, **server_address()) as conn:
        conn.execute("VACUUM ANALYZE")


def server_version() -> str:
    with psycopg.connect(dbname="postgres", **server_address()) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def child(argv: list[str], database: str) -> tuple[float, int]:
    """Run a process on `database`; (wall seconds, its peak RSS in MB)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
    }
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=ROOT)  # noqa: S603 - our own commands
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({process.returncode})")
    return seconds, round(usage.ru_maxrss / 1024)  # kB on Linux


def step(name: str, database: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        seconds, peak = child(
            [sys.executable, "-m", "benchmarks.steps", name, output.name], database
        )
        result = json.loads(Path(output.name).read_text(encoding="utf-8"))
    return {**result, "process_seconds": round(seconds, 1), "peak_mb": peak}


def measure(size: Size) -> dict:
    admin(f"DROP DATABASE IF EXISTS {size.database}")
    admin(f"CREATE DATABASE {size.database} TEMPLATE {TEMPLATE}")
    log(f"{size.name}: generating {size.words}")
    manage = [sys.executable, "manage.py"]
    generation = [
        *manage,
        "generate_benchmark_data",
        f"--areas={size.areas}",
        f"--measures={size.measures}",
        f"--years={size.years}",
        f"--seed={SEED}",
    ]
    seconds, peak = child(generation, size.database)
    analyze(size.database)
    result = {"size": size, "generate": {"seconds": round(seconds, 1), "peak_mb": peak}}
    for name in ("baseline", "recalculate", "pages", "approval"):
        log(f"{size.name}: {name}")
        result[name] = step(name, size.database)
    admin(f"DROP DATABASE {size.database}")
    return result


def machine() -> dict:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )

    def git(*args):
        return subprocess.run(  # noqa: S603 - fixed arguments
            ["git", *args],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "python": platform.python_version(),
        "postgresql": server_version(),
        "start_load": [round(n, 1) for n in os.getloadavg()],
    }


# --- the report ----------------------------------------------------------------------


def _n(number) -> str:
    return f"{number:,}"


def _ratio(seconds: float, floor: float) -> str:
    return f"{seconds / floor:.1f}× the floor" if floor else "n/a"


def report(host: dict, results: list[dict]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run.py`); timings are reported, never "
        "asserted (statement counts are asserted by tests). Each size is a fresh PostgreSQL "
        "database filled by `manage.py generate_benchmark_data` (seed "
        f"{SEED}): approved monthly returns (the teams' staffing figures with them) for "
        "each size's financial years and the April after them (61 months for 5 years). "
        "The quarter size has a quarter of the areas and every measure; the pages and "
        "the approval are measured after the month after the set is opened.",
        "",
        f"- Machine: {host['cores']} cores ({host['cpu']}), {host['memory_gb']} GB memory; "
        f"load average {host['start_load'][0]} at the start, {host['load'][0]} at the end "
        "(other processes on the machine share its cores)",
        f"- Date: {host['date']}; commit {host['commit']}",
        f"- Python {host['python']}, PostgreSQL {host['postgresql']} (as `tests/services.py` "
        "starts it: fsync off), Redis as the cache",
        "",
        "## The data",
        "",
        "| Size | Areas × measures × years | Results (cells) | Generated in (the command) |",
        "|---|---|---|---|",
    ]
    for r in results:
        size = r["size"]
        lines.append(
            f"| {size.name} | {size.words} | {_n(r['recalculate']['cells'])} | "
            f"{r['generate']['seconds']} s |"
        )
    lines += [
        "",
        "## The full recalculation",
        "",
        "`engine.recalculate()` of every month, in a process of its own. *The floor*: one "
        "hand-written `INSERT … SELECT` into an unlogged table (`benchmarks/floor.py`) "
        "computing the outturn, the in-year target in force and a RAG rating for the same "
        "cells in the same session, run before and after the recalculation (the faster "
        "counts). Peak memory is the process's RSS high-water mark; a process that only "
        "starts Django and asks one query peaks at the baseline shown.",
        "",
        "| Size | Cells | Wall time | Cells per second | SQL statements | Peak memory "
        "(baseline) | The floor | Ratio | Floor's ratings the engine's |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        calc = r["recalculate"]
        floor = min(calc["floor_seconds"])
        agreeing = 100 * calc["floor_agreeing"] / calc["floor_compared"]
        lines.append(
            f"| {r['size'].name} | {_n(calc['cells'])} | {calc['seconds']} s | "
            f"{_n(round(calc['cells'] / calc['seconds']))} | {_n(calc['statements'])} | "
            f"{calc['peak_mb']} MB ({r['baseline']['peak_mb']} MB) | {floor} s | "
            f"{_ratio(calc['seconds'], floor)} | {agreeing:.1f}% |"
        )
    lines += [
        "",
        "## An approval's recalculation",
        "",
        "The month after the set is opened; a team manager submits their return of it from "
        "the return's page; a performance officer who did not shape it approves it "
        "(`services.transition_return`, as the review page does); then "
        "`recalculation.run_waiting()` is timed, as the worker runs it.",
        "",
        "| Size | Return approved | Wall time | SQL statements | Cells written | Peak memory |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        a = r["approval"]
        lines.append(
            f"| {r['size'].name} | {a['return']} | {a['seconds']} s | {_n(a['statements'])} | "
            f"{_n(a['cells'])} | {a['peak_mb']} MB |"
        )
    first = results[0]["pages"]
    lines += [
        "",
        "## Pages",
        "",
        f"`django.test.Client` in one process, signed in as the role that uses each page "
        "(a director; the officer for completeness; the first area's team manager for its "
        f"open return of {first['month']}), against the bench database and Redis, with "
        "the production middleware (DEBUG off). *Cold*: the first request after the cache "
        "is cleared (for the scorecard, the process's first request too). Then "
        f"{first['requests']} requests: median and 95th percentile. "
        "Return save posts the return's figures (the team's of the month before) as a "
        "draft (302 back to the return); each save adds to the return's history. Return "
        "entry is then read with every line filled, each with its drafted facts. A "
        "statement more now and then is the session's last-activity write (once a minute).",
        "",
        "| Page | Size | Cold | Median | p95 | SQL statements (cold; then) | Page weight |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in first["pages"]:
        for r in results:
            p = r["pages"]["pages"][name]
            statements = ", ".join(str(s) for s in p["statements"])
            weight = f"{round(p['bytes'] / 1024)} kB" if p["bytes"] else "(a redirect)"
            lines.append(
                f"| {name} | {r['size'].name} | {p['cold_ms']} ms | {p['median_ms']} ms | "
                f"{p['p95_ms']} ms | {p['cold_statements']}; {statements} | "
                f"{weight} |"
            )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--sizes", default="quarter,full")
    args = parser.parse_args(argv)
    sizes = [SIZES[name] for name in args.sizes.split(",")]
    started = time.perf_counter()
    host = machine()
    admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    admin(f"CREATE DATABASE {TEMPLATE}")
    log("migrating the template database")
    child([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], TEMPLATE)
    results = [measure(size) for size in sizes]
    host["load"] = [round(n, 1) for n in os.getloadavg()]
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report(host, results), encoding="utf-8")
    log(f"wrote {output} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
