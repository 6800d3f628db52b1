"""Rows made once per session and copied into each test that asks for them.

Loading and calculating the sample takes a second or two; copying its rows in
takes milliseconds. `take(build)` runs `build()` in a transaction that is rolled
back, keeping every row it added (as COPY data, table by table); `Snapshot.restore()`
copies them back into the current transaction, with the audit triggers silenced
(the audit rows are part of the copy, as `build()` made them).

The copy is byte for byte what `build()` wrote, ids included. Sequences are never
rolled back, so ids handed out later never collide with it. What it refers to
outside itself (the role groups, content types, permissions that `migrate` made)
is fingerprinted: a transactional test's flush makes those again with new ids,
and `load()` then takes the snapshot again. A `build()` that changes rows a test
made before it cannot be copied: `load()` then simply runs it in place.

Use: `snapshot.load("a name", build)` in a fixture (see `sample()` below), or the
`sample` fixture itself. Tests that ask for neither start from an empty database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    return [name for (name,) in cursor.fetchall()]


def _columns(cursor, table: str) -> list[str]:
    """The columns COPY can write: not dropped, not generated."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
        [_quote(table)],
    )
    return [name for (name,) in cursor.fetchall()]


def _fingerprint(cursor, sources: list[str]) -> str:
    """One hash of every row these SELECTs give."""
    if not sources:
        return ""
    parts = " || ".join(
        f"(SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM ({sql}) t)"
        for sql in sources
    )
    cursor.execute(f"SELECT {parts}")
    return cursor.fetchone()[0]


@dataclass
class Snapshot:
    build: Callable[[], object]
    copies: list[tuple[str, str, bytes]] = field(default_factory=list)  # table, columns, data
    sequences: list[tuple[str, int]] = field(default_factory=list)  # sequence, highest id
    triggers: list[str] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)  # tables with rows before build()
    selects: list[str] = field(default_factory=list)  # their rows, as fingerprinted
    fingerprint: str = ""

    def is_current(self) -> bool:
        """Whether the rows it may refer to are still the ones it was taken over."""
        with connection.cursor() as cursor:
            return _fingerprint(cursor, self.selects) == self.fingerprint

    def restore(self) -> None:
        """Copy the rows in, inside the current transaction (or one of their own)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
            previous = cursor.fetchone()[0] or ""
            # Every trigger here is django-pgtrigger's (pghistory's audit trail, the
            # append-only guards): each returns at once when its name is in this list.
            cursor.execute(
                "SELECT set_config('pgtrigger.ignore', %s, true)",
                ["{" + ",".join(f'"{name}"' for name in self.triggers) + "}"],
            )
            for table, columns, data in self.copies:
                with cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy:
                    copy.write(data)
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [previous])
            # Were a sequence ever reset (reset_sequences=True), later rows still fit.
            if self.sequences:
                cursor.execute(
                    "SELECT setval(v.name::regclass, v.highest) FROM (VALUES "
                    + ", ".join(["(%s, %s)"] * len(self.sequences))
                    + ") v(name, highest) JOIN pg_sequences s ON v.name::regclass = "
                    "(quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass"
                    " WHERE coalesce(s.last_value, 0) < v.highest",
                    [value for pair in self.sequences for value in pair],
                )


def take(build: Callable[[], object]) -> Snapshot:
    """Run `build()` and keep the rows it added; the database is left as it was."""
    snapshot = Snapshot(build)
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _tables(cursor)
        columns = {table: _columns(cursor, table) for table in tables}
        select = {
            table: f"SELECT {', '.join(_quote(c) for c in columns[table])} FROM {_quote(table)}"
            for table in tables
        }
        before = {table: f"_snapshot_before_{index}" for index, table in enumerate(tables)}
        for table in tables:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {before[table]} ON COMMIT DROP AS {select[table]}"
            )
        build()
        for table in tables:
            theirs, ours = select[table], f"SELECT * FROM {before[table]}"
            cursor.execute(f"SELECT count(*) FROM ({ours} EXCEPT ALL {theirs}) changed")
            if cursor.fetchone()[0]:
                raise NotASnapshot(f"{table}: rows that were there before were changed")
            cursor.execute(f"SELECT EXISTS ({ours})")
            if cursor.fetchone()[0]:  # rows from migrate, which the added rows may refer to
                snapshot.referenced.append(table)
            with cursor.copy(f"COPY ({theirs} EXCEPT ALL {ours}) TO STDOUT") as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
            if not data:
                continue
            snapshot.copies.append((table, ", ".join(_quote(c) for c in columns[table]), data))
            if "id" in columns[table]:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_quote(table)])
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute(f"SELECT max(id) FROM ({theirs} EXCEPT ALL {ours}) added")
                    snapshot.sequences.append((sequence, cursor.fetchone()[0]))
        snapshot.fingerprint = _fingerprint(
            cursor, [f"SELECT * FROM {before[table]}" for table in snapshot.referenced]
        )
        snapshot.selects = [select[table] for table in snapshot.referenced]
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        snapshot.triggers = sorted({name for (name,) in cursor.fetchall()})
        transaction.set_rollback(True)
    return snapshot


class NotASnapshot(RuntimeError):
    """build() changed rows that were there before: only an added set of rows can be copied."""


_taken: dict[str, Snapshot] = {}


def load(name: str, build: Callable[[], object]) -> None:
    """What `build()` makes, copied in from the session's snapshot `name` (taken now
    if there is none yet, or if what it refers to has changed since)."""
    snapshot = _taken.get(name)
    if snapshot is None or not snapshot.is_current():
        try:
            snapshot = _taken[name] = take(build)
        except NotASnapshot:  # the test made rows build() then changes: build in place
            build()
            return
    snapshot.restore()


def calculated_sample() -> None:
    """The reference scorecard loaded and calculated, as `make run` serves it."""
    from scorecard import engine
    from scorecard.sample import load_sample

    load_sample()
    engine.recalculate(trigger="test")


def sample() -> None:
    """`calculated_sample()`, copied in from the session's snapshot: milliseconds, not seconds.

    Every copy has the same ids, the calculation run's included, so the page cache
    (keyed by run) is emptied: a page cached in an earlier test must not be served."""
    from django.core.cache import cache

    load("sample", calculated_sample)
    cache.clear()
