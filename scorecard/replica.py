"""Reads from a PostgreSQL replica, when DATABASE_REPLICA_URL names one.

Only the directors' read-only pages (REPLICA_PAGES: the summary, the scorecard,
the measure page, the workforce page) read from the replica, and only the
scorecard's and the workforce's tables (REPLICA_APPS): they are what a board
morning's load is made of. Everything else uses the primary ("default"):

- every write, and every read inside a transaction (an atomic block,
  select_for_update), so that a transaction sees its own work;
- every migration (`allow_migrate`);
- Celery tasks, and so the calculation engine (scorecard/engine.py,
  scorecard/recalculation.py), even a task run in-process from a page;
- every other page, every request that is not a GET or HEAD, management
  commands, and on every page the sign-in machinery (sessions, users,
  lockouts), so that signing out or a deactivated account takes effect at once.

A replica lags. After a request that may have written (any method but GET,
HEAD, OPTIONS, TRACE), the response carries the primary's WAL position in a
cookie; a replica page reads from the replica only once the replica has
replayed at least that far (the position is compared, not guessed with a
timer), so a person never misses their own change. Others' changes reach the
replica within its replay lag.

A replica that does not answer (or is no standby: a promoted one, or the
primary itself), or fails in the middle of a page, costs no error page: that
page is read from the primary, and so is every page for
DATABASE_REPLICA_RETRY_SECONDS before the replica is tried again.
"""

import contextlib
import contextvars
import logging
import re
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
REPLICA_APPS = frozenset({"scorecard", "workforce"})
REPLICA_PAGES = frozenset({"summary", "scorecard", "measure-detail", "workforce"})
READ_METHODS = frozenset({"GET", "HEAD"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The primary's WAL position after this browser's last write ("16/B374D848").
COOKIE = "written_at"
LSN = re.compile(r"^([0-9A-F]{1,8})/([0-9A-F]{1,8})$")

_reading = contextvars.ContextVar("reading_from_replica", default=False)
_unused_until = 0.0  # time.monotonic(): a replica that failed is left alone until then


def configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def reading():
    """Reads of REPLICA_APPS' tables in this block go to the replica (outside
    transactions). The middleware uses it for REPLICA_PAGES."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _reading.get()
            and model._meta.app_label in REPLICA_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from either may
        # refer to one read from the other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None} or None

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


def lsn(text: str) -> int | None:
    """A WAL position as a number; None for anything else."""
    match = LSN.match(text.upper())
    return (int(match[1], 16) << 32) + int(match[2], 16) if match else None


def leave_alone(error: Exception) -> None:
    """Read from the primary for DATABASE_REPLICA_RETRY_SECONDS."""
    global _unused_until
    _unused_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    logger.warning(
        "Replica not used for %s s, reading from the primary: %s",
        settings.DATABASE_REPLICA_RETRY_SECONDS,
        str(error).strip(),
    )
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()  # a broken connection is not reused


def replica_answers(written_at: int | None) -> bool:
    """The replica is up, a standby, and has replayed `written_at` (if given)."""
    if time.monotonic() < _unused_until:
        return False
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
            standby, replayed = cursor.fetchone()
        if not standby:
            raise DatabaseError("the server is not in recovery: it is no replica")
    except DatabaseError as error:
        leave_alone(error)
        return False
    if written_at is None:
        return True
    replayed_at = lsn(replayed or "")
    return replayed_at is not None and replayed_at >= written_at


def primary_position() -> str | None:
    """Where the primary's WAL is now: past every commit made so far."""
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        return None
    try:
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None  # the request has failed with the primary already


class ReplicaMiddleware:
    """Chooses, per request, whether REPLICA_PAGES read from the replica, and
    marks a browser that wrote (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        token = _reading.set(False)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        if request.method not in SAFE_METHODS:
            position = primary_position()
            if position:
                response.set_cookie(
                    COOKIE,
                    position,
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif getattr(request, "replica_caught_up", False) and request.COOKIES.get(COOKIE):
            response.delete_cookie(COOKIE, samesite="Lax")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method not in READ_METHODS
            or match is None
            or match.url_name not in REPLICA_PAGES
            or not configured()
        ):
            return None
        written_at = lsn(request.COOKIES.get(COOKIE, ""))
        if replica_answers(written_at):
            _reading.set(True)  # until __call__ resets it
            request.replica_caught_up = written_at is not None
        return None

    def process_exception(self, request, exception):
        """The replica failed during the page (it stopped, or cancelled a query
        that conflicted with its replay): the page again, from the primary. Safe:
        only GET and HEAD read from the replica."""
        if not (_reading.get() and connections[REPLICA].errors_occurred):
            return None
        leave_alone(exception)
        _reading.set(False)  # until __call__ resets it
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        return response.render() if hasattr(response, "render") else response


# A task starts on the primary even when run in-process from a replica page:
# the engine reads what it is about to write from where it writes it.
_task_tokens: dict[str, contextvars.Token] = {}


def _task_on_primary(task_id=None, **kwargs):
    _task_tokens[task_id] = _reading.set(False)


def _task_done(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _reading.reset(token)


def connect_signals() -> None:
    task_prerun.connect(_task_on_primary, dispatch_uid="replica_task_on_primary")
    task_postrun.connect(_task_done, dispatch_uid="replica_task_done")
