#!/usr/bin/env python3
"""Run a command with throwaway PostgreSQL and Redis servers.

Usage:
    python tests/services.py [--redis-only] -- CMD [ARGS...]

* If DATABASE_URL is unset (and --redis-only is not given), a temporary
  PostgreSQL cluster is created with initdb and started on a unix socket in a
  temp dir, with the roles scorecard_owner (DATABASE_URL's user, who creates
  and migrates the test database) and scorecard_app (DATABASE_APP_ROLE);
  DATABASE_URL=postgres://scorecard_owner@/postgres?host=SOCKDIR&port=PORT
  is exported to CMD, with SERVICES_PGDATA (its data directory) and
  SERVICES_PG_CTL (the pg_ctl command line, run as the server's user) so that a
  test can restart it.
* If REDIS_URL is unset, redis-server is started on 127.0.0.1:FREEPORT with no
  persistence; REDIS_URL=redis://127.0.0.1:PORT/0 is exported to CMD.

Whatever happens (CMD fails, Ctrl-C, SIGTERM, startup error), every service
started here is stopped and the temp dir removed. The exit code is CMD's
(128+N if CMD was killed by signal N; 2 when a required binary is missing).

Standard library only: this must run before the virtualenv exists.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PROG = "services.py"
PG_USER = "postgres"  # system user that runs the server when we are root
OWNER_ROLE = "scorecard_owner"  # creates the test database and migrates it
APP_ROLE = "scorecard_app"  # what the application connects as in production
START_TIMEOUT = 60.0


class StartupError(Exception):
    pass


class Interrupted(Exception):
    """A signal arrived while services were still starting."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


# Signals received before CMD runs. The handler only records them (it does not
# raise), so a half-finished initdb/pg_ctl is never orphaned; startup checks
# this between steps via check_interrupted().
PENDING_SIGNALS: list[int] = []


def check_interrupted() -> None:
    if PENDING_SIGNALS:
        raise Interrupted(PENDING_SIGNALS[0])


def log(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


def usage(code: int = 2) -> None:
    print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
    sys.exit(code)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_root() -> bool:
    return os.geteuid() == 0


# --------------------------------------------------------------------------
# binaries
# --------------------------------------------------------------------------


def find_pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    # Debian's postgresql-NN packages do not put the server binaries on PATH.
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")

    def version(path: str) -> float:
        try:
            return float(path.split("/")[4])
        except (IndexError, ValueError):
            return 0.0

    candidates.sort(key=version, reverse=True)
    return candidates[0] if candidates else None


def check_binaries(need_pg: bool, need_redis: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    missing: list[str] = []
    if need_pg:
        for name in ("initdb", "pg_ctl", "postgres"):
            path = find_pg_bin(name)
            if path:
                found[name] = path
            else:
                missing.append(
                    f"{name} not found: install the PostgreSQL 15 server binaries "
                    "(apt-get install postgresql-15), or set DATABASE_URL"
                )
        if is_root():
            try:
                import pwd

                pwd.getpwnam(PG_USER)
            except KeyError:
                missing.append(
                    f"running as root but there is no '{PG_USER}' system user to run "
                    f"PostgreSQL as: useradd --system {PG_USER}, or set DATABASE_URL"
                )
            if not (shutil.which("runuser") or shutil.which("su")):
                missing.append("neither runuser nor su found (needed to run PostgreSQL as root)")
    if need_redis:
        path = shutil.which("redis-server")
        if path:
            found["redis-server"] = path
        else:
            missing.append("redis-server not found: apt-get install redis-server, or set REDIS_URL")
    if missing:
        for line in missing:
            log(line)
        sys.exit(2)
    return found


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


class Postgres:
    def __init__(self, bins: dict[str, str], tmp: str):
        self.bins = bins
        self.tmp = tmp
        self.data = os.path.join(tmp, "pgdata")
        self.sock = os.path.join(tmp, "pgsock")
        self.logfile = os.path.join(tmp, "postgres.log")
        self.port = 0
        self.started = False

    def _cmd(self, argv: list[str]) -> list[str]:
        if not is_root():
            return argv
        if shutil.which("runuser"):
            return ["runuser", "-u", PG_USER, "--", *argv]
        return ["su", PG_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]

    def _run(self, argv: list[str], check: bool = True, timeout: float | None = None):
        # cwd=tmp: the postgres user may not be able to read our cwd (/root...).
        # Own session: a terminal Ctrl-C must not kill it half-way; we abort
        # after it returns instead.
        proc = subprocess.run(
            self._cmd(argv),
            cwd=self.tmp,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
        if check and proc.returncode != 0:
            raise StartupError(f"{shlex.join(argv)} failed ({proc.returncode}):\n{proc.stdout}")
        return proc

    def _chown(self, path: str) -> None:
        if is_root():
            shutil.chown(path, user=PG_USER, group=None)

    def _make_dirs(self) -> None:
        """The data and socket directories and the log, the server's user's own."""
        for d in (self.data, self.sock):
            os.mkdir(d, 0o700)
            self._chown(d)
        open(self.logfile, "a").close()
        self._chown(self.logfile)

    def start(self) -> str:
        self._make_dirs()

        base = [
            self.bins["initdb"],
            "-D",
            self.data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ]
        proc = self._run([*base, "--locale=C.UTF-8"], check=False, timeout=120)
        if proc.returncode != 0:
            # No C.UTF-8 locale on this system: fall back to plain C.
            shutil.rmtree(self.data)
            os.mkdir(self.data, 0o700)
            self._chown(self.data)
            self._run([*base, "--no-locale"], timeout=120)
        self._create_roles()
        check_interrupted()

        self.port = free_port()
        self._start_server("-c synchronous_commit=off -c full_page_writes=off")
        return f"postgres://{OWNER_ROLE}@/postgres?host={self.sock}&port={self.port}"

    def _start_server(self, extra_options: str) -> None:
        opts = f"-k {self.sock} -p {self.port} -c listen_addresses='' -c fsync=off {extra_options}"
        self.started = True  # from here on, always try to stop it
        proc = self._run(
            [
                self.bins["pg_ctl"],
                "-D",
                self.data,
                "-l",
                self.logfile,
                "-w",
                "-t",
                str(int(START_TIMEOUT)),
                "-o",
                opts,
                "start",
            ],
            check=False,
            timeout=START_TIMEOUT + 10,
        )
        if proc.returncode != 0:
            raise StartupError(f"pg_ctl start failed:\n{proc.stdout}\n{self._log_tail()}")
        self._wait_ready()

    def _create_roles(self) -> None:
        """The two roles of a deployment (README, "Production"): the owner that
        migrates, and the application's role that owns nothing. Single-user mode,
        before the server starts: no client program needed."""
        sql = f"CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB;\nCREATE ROLE {APP_ROLE} LOGIN;\n"
        proc = subprocess.run(
            self._cmd([self.bins["postgres"], "--single", "-D", self.data, "-j", "postgres"]),
            cwd=self.tmp,
            input=sql,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            start_new_session=True,
        )
        if proc.returncode != 0 or "ERROR" in proc.stdout:
            raise StartupError(f"could not create the database roles:\n{proc.stdout}")

    def _wait_ready(self) -> None:
        # pg_ctl -w already waited; double-check that the socket accepts connections.
        path = os.path.join(self.sock, f".s.PGSQL.{self.port}")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            check_interrupted()
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(2)
                    s.connect(path)
                    return
            except OSError:
                time.sleep(0.1)
        raise StartupError(f"PostgreSQL socket {path} never came up\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            with open(self.logfile) as f:
                return "postgres.log:\n" + "".join(f.readlines()[-30:])
        except OSError:
            return ""

    def _postmaster_pid(self) -> int | None:
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        for mode in ("fast", "immediate"):
            try:
                proc = self._run(
                    [self.bins["pg_ctl"], "-D", self.data, "-m", mode, "-w", "-t", "20", "stop"],
                    check=False,
                    timeout=30,
                )
                if proc.returncode == 0 or self._postmaster_pid() is None:
                    return
            except subprocess.TimeoutExpired:
                pass
        pid = self._postmaster_pid()
        if pid:
            log(f"pg_ctl stop failed; killing postmaster {pid}")
            try:
                os.killpg(pid, signal.SIGKILL)  # postmaster leads its own group (pg_ctl setsid)
            except OSError:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


class Standby(Postgres):
    """A streaming hot standby of a running cluster started by Postgres above
    (PostgreSQL's defaults already allow it: wal_level=replica, wal senders,
    and initdb's `local replication` line in pg_hba.conf). Not started for every
    run: tests/replica.py starts one for the tests that read from a replica.
    The server's superuser may pause and resume its replay to make it lag."""

    def __init__(self, bins: dict[str, str], tmp: str, primary_sock: str, primary_port: int):
        super().__init__(bins, tmp)
        self.primary = (primary_sock, primary_port)

    def start(self) -> str:
        self._make_dirs()
        sock, port = self.primary
        # -R writes primary_conninfo and standby.signal: the copy starts as a standby.
        self._run(
            [
                self.bins["pg_basebackup"],
                *("-h", sock, "-p", str(port), "-U", "postgres", "-D", self.data),
                *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
            ],
            timeout=120,
        )
        self.port = free_port()
        self.restart()
        return f"postgres://{OWNER_ROLE}@/postgres?host={self.sock}&port={self.port}"

    def restart(self) -> None:
        """Start it again on its data (after crash() too: it recovers, then streams)."""
        self._start_server("-c hot_standby=on -c wal_receiver_status_interval=1")

    def crash(self) -> None:
        """Stop it as a crash would: no shutdown checkpoint, every connection cut."""
        self.started = False
        self._run([self.bins["pg_ctl"], "-D", self.data, "-m", "immediate", "-w", "stop"])


# --------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------


class Redis:
    def __init__(self, binary: str, tmp: str):
        self.binary = binary
        self.dir = os.path.join(tmp, "redis")
        self.logfile = os.path.join(tmp, "redis.log")
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> str:
        os.mkdir(self.dir, 0o700)
        self.port = free_port()
        with open(self.logfile, "wb") as logf:
            # Own session: a terminal Ctrl-C must not kill Redis while CMD is
            # still shutting down; we stop it ourselves afterwards.
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    self.dir,
                    "--daemonize",
                    "no",
                ],
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            check_interrupted()
            if self.proc.poll() is not None:
                raise StartupError(
                    f"redis-server exited with {self.proc.returncode}\n{self._log_tail()}"
                )
            if self._ping():
                return f"redis://127.0.0.1:{self.port}/0"
            time.sleep(0.05)
        raise StartupError(f"redis-server did not answer PING\n{self._log_tail()}")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _log_tail(self) -> str:
        try:
            with open(self.logfile, errors="replace") as f:
                return "redis.log:\n" + "".join(f.readlines()[-30:])
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv: list[str]) -> tuple[bool, list[str]]:
    redis_only = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            cmd = argv[i + 1 :]
            break
        if arg == "--redis-only":
            redis_only = True
        elif arg in ("-h", "--help"):
            usage(0)
        else:
            log(f"unknown option {arg!r}")
            usage()
        i += 1
    else:
        cmd = []
    if not cmd:
        log("no command given")
        usage()
    return redis_only, cmd


def in_foreground_of_tty() -> bool:
    """True if a terminal Ctrl-C would reach our whole process group (CMD included)."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    redis_only, cmd = parse_args(argv)
    env = dict(os.environ)
    need_pg = not redis_only and not env.get("DATABASE_URL")
    need_redis = not env.get("REDIS_URL")
    bins = check_binaries(need_pg, need_redis)

    child: subprocess.Popen | None = None
    signals_seen: list[int] = []

    def on_signal(signum, _frame):
        if child is None:
            PENDING_SIGNALS.append(signum)
            return
        signals_seen.append(signum)
        if child.poll() is not None:
            return
        if signum == signal.SIGINT and len(signals_seen) == 1 and in_foreground_of_tty():
            return  # the terminal already delivered SIGINT to CMD as well
        if len(signals_seen) >= 3:
            sig = signal.SIGKILL
        elif signum == signal.SIGINT:
            sig = signal.SIGINT
        else:
            sig = signal.SIGTERM
        with contextlib.suppress(OSError):
            child.send_signal(sig)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in handled:
        signal.signal(sig, on_signal)

    tmp: str | None = None
    pg: Postgres | None = None
    redis: Redis | None = None
    code = 1
    try:
        if need_pg or need_redis:
            tmp = tempfile.mkdtemp(prefix="svc-", dir="/tmp" if os.path.isdir("/tmp") else None)
            os.chmod(tmp, 0o755)  # the postgres user must be able to traverse it
        started = []
        if need_pg:
            pg = Postgres(bins, tmp)
            env["DATABASE_URL"] = pg.start()
            # For the test that restarts PostgreSQL under the running app.
            env["SERVICES_PGDATA"] = pg.data
            env["SERVICES_PG_CTL"] = shlex.join(pg._cmd([bins["pg_ctl"]]))
            env.setdefault("DATABASE_APP_ROLE", APP_ROLE)
            started.append(f"PostgreSQL (socket {pg.sock}, port {pg.port})")
        if need_redis:
            redis = Redis(bins["redis-server"], tmp)
            env["REDIS_URL"] = redis.start()
            started.append(f"Redis ({env['REDIS_URL']})")
        if started:
            log("started " + " and ".join(started))
        else:
            log("started no services (DATABASE_URL/REDIS_URL already set)")

        check_interrupted()
        try:
            child = subprocess.Popen(cmd, env=env)
        except OSError as exc:
            log(f"cannot run {cmd[0]!r}: {exc}")
            code = 127
        else:
            if PENDING_SIGNALS:  # arrived while Popen was starting CMD
                child.send_signal(signal.SIGTERM)
            rc = child.wait()  # signals are forwarded by on_signal meanwhile
            code = rc if rc >= 0 else 128 - rc
    except Interrupted as exc:
        log(f"interrupted by signal {exc.signum} during startup")
        code = 128 + exc.signum
    except StartupError as exc:
        log(f"could not start services: {exc}")
        code = 1
    except subprocess.TimeoutExpired as exc:
        log(f"timed out: {exc}")
        code = 1
    finally:
        for sig in handled:
            signal.signal(sig, signal.SIG_IGN)  # let the cleanup finish
        for service in (redis, pg):
            if service is not None:
                try:
                    service.stop()
                except Exception as exc:  # noqa: BLE001 - keep cleaning up
                    log(f"error while stopping {type(service).__name__}: {exc}")
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
