"""A real streaming replica of the test database, for the tests that read from one.

`make test`'s PostgreSQL (tests/services.py) is the primary; `start()` copies it
with pg_basebackup into a hot standby on a port of its own (tests/services.py,
Standby) and adds it to Django as the "replica" alias, connecting as the
application's role as production does. The standby's superuser pauses and
resumes its replay, so a test can make it lag for as long as it needs.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from scorecard import replica as routing
from tests import database, services

CATCH_UP_SECONDS = 30


class Replica:
    def __init__(self):
        bins = {}
        for name in ("pg_ctl", "pg_basebackup", "postgres", "initdb"):
            bins[name] = services.find_pg_bin(name) or pytest.fail(f"{name} not found")
        primary = database.address()
        self.tmp = tempfile.mkdtemp(prefix="replica-", dir="/tmp")
        os.chmod(self.tmp, 0o755)  # the postgres user must be able to traverse it
        self.server = services.Standby(bins, self.tmp, primary["host"], int(primary["port"]))

    def start(self) -> Replica:
        self.server.start()
        alias = copy.deepcopy(connections["default"].settings_dict)
        alias["OPTIONS"] = {
            k: v for k, v in alias["OPTIONS"].items() if k not in {"host", "port", "user"}
        }
        alias.update(HOST=self.server.sock, PORT=str(self.server.port))
        alias["USER"] = settings.DATABASE_APP_ROLE or pytest.fail("run the tests with `make test`")
        # Not a mirror: its own server. MIRROR only tells a transactional test's
        # flush that this alias holds default's rows (it cannot be written).
        alias["TEST"] = {**alias["TEST"], "MIRROR": "default"}
        connections.settings[routing.REPLICA] = alias
        return self

    def stop(self) -> None:
        if routing.REPLICA in connections.settings:
            connections[routing.REPLICA].close()
            del connections[routing.REPLICA]
            del connections.settings[routing.REPLICA]
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def superuser(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.server.sock,
            port=self.server.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        )

    def pause(self) -> None:
        """Stop replaying: from now on the replica lags behind every commit."""
        with self.superuser() as session:
            session.execute("SELECT pg_wal_replay_pause()")
            while session.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != (
                "paused"
            ):
                time.sleep(0.02)

    def resume(self) -> None:
        with self.superuser() as session:
            session.execute("SELECT pg_wal_replay_resume()")

    def catch_up(self) -> None:
        """Resume, and wait until the replica has replayed every commit made so far."""
        self.resume()
        with database.connect(autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + CATCH_UP_SECONDS
        with self.superuser() as session:
            while not session.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)]
            ).fetchone()[0]:
                if time.monotonic() > deadline:
                    pytest.fail(f"the replica did not replay {target} in {CATCH_UP_SECONDS} s")
                time.sleep(0.02)

    def crash(self) -> None:
        self.server.crash()

    def restart(self) -> None:
        self.server.restart()
