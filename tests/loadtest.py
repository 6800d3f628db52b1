#!/usr/bin/env python3
"""`make loadtest`: the service as deployed, under a board morning's load.

Run by `tests/services.py` (a throwaway PostgreSQL and Redis, as `make test`):

1. migrates, loads the data set (`manage.py load_sample`), collects the static
   files and adds 16 director accounts, all with the production settings;
2. starts a Celery worker and gunicorn (`config/gunicorn.conf.py`: workers
   from the cores) on loopback;
3. drives it from this process for --seconds (30) with 16 signed-in directors,
   each with its own session (signed in through /login/ with its CSRF token):
   four on the scorecard, four on the RAG summary, four on the measure pages
   (each measure in turn) and four on a minimal signed-in page, the baseline
   (the password change page: the layout and a small form, nothing else),
   each as fast as its page answers; meanwhile a performance officer and a
   team manager go round reopen → submit → approve on a return through the
   real pages, so each approval sets off a recalculation on the worker;
4. prints requests per second and p50/p95/p99 per page, the scorecard's
   throughput against the baseline's, and writes them to docs/loadtest.md.

It fails if any request failed (an unexpected status, a refused connection),
if no approval went through or if no recalculation ran. Timings are reported,
never asserted. Standard library only on the client side: http.client, threads.
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import http.cookies
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
PASSWORD = "scorecard-demo-2015"  # the sample's demo password, shared by the added directors
DIRECTORS = 16
PAGES = ("scorecard", "summary", "measure", "baseline")


# --- the service -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_environment(static_root: Path, port: int, smtp_port: int) -> dict:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"loadtest: {name} is not set: run it as `make loadtest` (tests/services.py)")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: no proxy to end TLS
        "STATIC_ROOT": str(static_root),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",  # a line per request would be timed too
        "PYTHONUNBUFFERED": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }


ADD_DIRECTORS = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from scorecard import roles
directors = Group.objects.get(name=roles.DIRECTORS)
for n in range(1, {DIRECTORS} + 1):
    user, _ = get_user_model().objects.get_or_create(
        username=f"loadtest-director-{{n:02}}", defaults={{"first_name": f"Director {{n}}"}}
    )
    user.set_password({PASSWORD!r})
    user.save()
    user.groups.add(directors)
"""

FACTS = """
import json
from scorecard.models import CalculationRun, Measure, MonthlyReturn, ScorecardResult, ServiceArea
manager_return = MonthlyReturn.objects.filter(
    area__memberships__user__username="manager", status="approved"
).order_by("-month").first()
print(json.dumps({
    "measures": list(Measure.objects.filter(active=True).values_list("code", flat=True)),
    "areas": ServiceArea.objects.count(),
    "returns": MonthlyReturn.objects.count(),
    "results": ScorecardResult.objects.count(),
    "runs": CalculationRun.objects.filter(outcome="succeeded").count(),
    "return": manager_return.pk if manager_return else None,
}))
"""

RUNS_SINCE = """
import json, sys
from scorecard.models import CalculationRun
runs = CalculationRun.objects.filter(started_at__gte=sys.argv[-1])
print(json.dumps({outcome: runs.filter(outcome=outcome).count()
                  for outcome in ("succeeded", "failed", "running", "abandoned")}))
"""


def own_database(env) -> dict:
    """A database of its own, migrated by the owner role as in production; the
    web and the worker connect as the app role (`DATABASE_APP_ROLE`), as the
    README's Production section sets them up."""
    import psycopg

    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    name = f"loadtest_{secrets.token_hex(4)}"
    with psycopg.connect(
        env["DATABASE_URL"].replace("postgres://", "postgresql://"), autocommit=True
    ) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    owner_url = urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    app_role = env.get("DATABASE_APP_ROLE", "")
    app_url = owner_url
    if app_role:
        netloc = url.netloc.split("@", 1)[-1]
        app_url = urllib.parse.urlunsplit(
            url._replace(netloc=f"{app_role}@{netloc}", path=f"/{name}")
        )
    return {"owner": {**env, "DATABASE_URL": owner_url}, "app": {**env, "DATABASE_URL": app_url}}


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def prepare(owner_env, env) -> dict:
    import json

    print("loadtest: migrate, load_sample, collectstatic, 16 directors", flush=True)
    manage(owner_env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_sample")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "shell", "-c", ADD_DIRECTORS)
    return json.loads(manage(env, "shell", "-c", FACTS, capture=True).strip().splitlines()[-1])


def runs_since(env, since: str) -> dict:
    import json

    out = manage(env, "shell", "-c", RUNS_SINCE.replace("sys.argv[-1]", repr(since)), capture=True)
    return json.loads(out.strip().splitlines()[-1])


class Service:
    """gunicorn and a Celery worker, stopped whatever happens."""

    def __init__(self, env, log_dir: Path):
        self.env, self.log_dir, self.processes = env, log_dir, []

    def start(self, name, argv):
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process, log))
        return process

    def __enter__(self):
        self.start(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "config", "worker", "--concurrency", "1",
             "--loglevel", "info", "--without-gossip", "--without-mingle"],
        )  # fmt: skip
        self.start(
            "gunicorn", [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"]
        )
        return self

    def __exit__(self, *exc):
        for _, process, _ in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for _, process, log in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    def log(self, name) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def check_alive(self):
        for name, process, _ in self.processes:
            if process.poll() is not None:
                raise SystemExit(
                    f"loadtest: {name} stopped ({process.returncode}):\n{self.log(name)[-3000:]}"
                )


def wait_until_serving(service: Service, port: int, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        service.check_alive()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(
        f"loadtest: gunicorn did not answer in {timeout:.0f} s:\n{service.log('gunicorn')[-3000:]}"
    )


class MailSink(socketserver.ThreadingTCPServer):
    """An SMTP server that accepts every message and keeps none: the review
    emails an approval sends go somewhere, as they would in production."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), MailSinkHandler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class MailSinkHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 loadtest\r\n")
        in_data = False
        for line in self.rfile:
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.wfile.write(b"250 kept nowhere\r\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif command in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 loadtest\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


# --- the client --------------------------------------------------------------


class Failed(Exception):
    pass


class Browser:
    """One person's session: cookies, the CSRF token, a kept-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def request(self, method, path, form=None, expect=(200,)):
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        headers = {
            "Host": "127.0.0.1",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # once more on a connection the server closed while idle
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status not in expect:
            text = content.decode("utf-8", "replace")
            summary = text.partition("govuk-error-summary__list")[2].partition("</ul>")[0]
            said = [m.strip() for m in re.sub(r"<[^>]+>", "\n", summary).splitlines() if m.strip()]
            raise Failed(f"{method} {path}: {response.status} (expected {expect}) {said[:3]}")
        return response, content.decode("utf-8", "replace")

    def get(self, path, redirects=5):
        """The page, following redirects as a browser does."""
        for _ in range(redirects + 1):
            response, content = self.request("GET", path, expect=(200, 301, 302, 303))
            if response.status == 200:
                return content
            path = urllib.parse.urlsplit(response.headers["Location"]).path
        raise Failed(f"GET {path}: more than {redirects} redirects")

    def post(self, path, form, expect=(302,)):
        response, _ = self.request("POST", path, form, expect=expect)
        location = response.headers.get("Location", "")
        if location:  # as a browser does: the page after, and its message, are read
            self.get(urllib.parse.urlsplit(location).path or path)
        return location

    def sign_in(self, username):
        page = self.get("/login/")
        self.post("/login/", {**csrf(page), "username": username, "password": PASSWORD})
        if "sessionid" not in self.cookies:
            raise Failed(f"{username} could not sign in")


class FormReader(html.parser.HTMLParser):
    """The forms of a page: [(attrs, {name: [values]}, [button names])]."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = (attrs, defaultdict(list), [])
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.current[1][attrs["name"]].append(attrs.get("value", ""))
        elif tag == "button" and attrs.get("name"):
            self.current[2].append(attrs["name"])
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.current[1][self.textarea].append("")
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.current[1][self.select].append(attrs.get("value", ""))

    def handle_data(self, data):
        if self.textarea and self.current:
            self.current[1][self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def forms(page):
    reader = FormReader()
    reader.feed(page)
    return reader.forms


def csrf(page):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise Failed("no CSRF token on the page")
    return {"csrfmiddlewaretoken": match.group(1)}


class Timings:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(list)
        self.counts = defaultdict(int)

    def record(self, page, seconds=None, error=None):
        with self.lock:
            if error is None:
                self.latencies[page].append(seconds)
            else:
                self.errors[page].append(error)

    def count(self, what):
        with self.lock:
            self.counts[what] += 1


def director(port, n, page, measures, stop, timings, ready):
    browser = Browser(port)
    try:
        browser.sign_in(f"loadtest-director-{n:02}")
    except Exception as error:  # noqa: BLE001 - counted, reported, fails the run
        timings.record(page, error=f"sign in: {error}")
        ready.wait()
        return
    ready.wait()
    i = n
    while not stop.is_set():
        path = {
            "scorecard": "/scorecard/",
            "summary": "/summary/",
            "measure": f"/scorecard/measures/{measures[i % len(measures)]}/",
            "baseline": "/account/password/",
        }[page]
        i += 1
        start = time.perf_counter()
        try:
            html_text = browser.get(path)
            if 'name="username"' in html_text and "Sign in" in html_text:
                raise Failed(f"GET {path}: the sign-in page")
        except Exception as error:  # noqa: BLE001
            timings.record(page, error=f"{type(error).__name__}: {error}")
            browser.connection = None
            continue
        if not stop.is_set():  # answered within the measured time
            timings.record(page, time.perf_counter() - start)


def approvals(port, return_pk, stop, timings, ready):
    """An officer reopens the team's approved return, its team manager submits it
    again as it stands, the officer approves it: each step a real page and POST."""
    officer, manager = Browser(port), Browser(port)
    page_path = f"/returns/{return_pk}/"
    review_path = f"/returns/{return_pk}/review/"
    try:
        officer.sign_in("officer")
        manager.sign_in("manager")
    except Exception as error:  # noqa: BLE001
        timings.record("approval", error=f"sign in: {error}")
        ready.wait()
        return
    ready.wait()

    def transition(action, **extra):
        page = officer.get(page_path)
        for attrs, fields, _ in forms(page):
            if attrs.get("action") == review_path and fields.get("action") == [action]:
                return officer.post(review_path, {**fields, **extra})
        raise Failed(f"no {action} form on {page_path}")

    while not stop.is_set():
        start = time.perf_counter()
        try:
            transition("reopen", reason="Load test: checked again at the board's request")
            timings.count("reopened")
            page = manager.get(page_path)
            entry = [f for f in forms(page) if "submit" in f[2]]
            if not entry:
                raise Failed(f"no entry form for the manager on {page_path}")
            figures = dict(entry[0][1])
            for name, values in figures.items():  # the team's staffing, first time round
                if name.startswith("staffing-") and values == [""]:
                    figures[name] = ["0"]
            manager.post(page_path, {**figures, "submit": "1"})
            timings.count("submitted")
            transition("approve")
            timings.count("approved")
        except Exception as error:  # noqa: BLE001
            timings.record("approval", error=f"{type(error).__name__}: {error}")
            time.sleep(0.5)
            continue
        timings.record("approval", time.perf_counter() - start)


def drive(port, facts, seconds, with_approvals=True) -> tuple[Timings, float]:
    timings, stop = Timings(), threading.Event()
    # every session signed in, then the clock starts
    ready = threading.Barrier(DIRECTORS + 1 + with_approvals, timeout=120)
    per_page = DIRECTORS // len(PAGES)
    threads = [
        threading.Thread(
            target=director,
            args=(port, n, PAGES[(n - 1) // per_page], facts["measures"], stop, timings, ready),
        )
        for n in range(1, DIRECTORS + 1)
    ]
    if with_approvals:
        threads.append(
            threading.Thread(target=approvals, args=(port, facts["return"], stop, timings, ready))
        )
    for thread in threads:
        thread.daemon = True  # a stopped load test leaves none behind
        thread.start()
    try:
        ready.wait()
        print("loadtest: every session signed in; the clock starts", flush=True)
        started = time.perf_counter()
        time.sleep(seconds)
    finally:
        stop.set()
    elapsed = time.perf_counter() - started
    for thread in threads:
        thread.join(timeout=120)
    return timings, elapsed


# --- the report --------------------------------------------------------------


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(
    facts, timings, elapsed, runs, gunicorn_settings, seconds, load, with_approvals=True
) -> tuple[str, bool]:
    rows, rates = [], {}
    labels = {
        "scorecard": "Scorecard (`/scorecard/`)",
        "summary": "RAG summary (`/summary/`)",
        "measure": "Measure detail (`/scorecard/measures/<code>/`, each in turn)",
        "baseline": "Baseline: password change page (`/account/password/`)",
        "approval": "Officer: reopen → submit → approve, one cycle",
    }
    for page in (*PAGES, "approval"):
        values = [v * 1000 for v in timings.latencies[page]]
        rates[page] = len(values) / elapsed
        rows.append(
            f"| {labels[page]} | {len(values):,} | {len(timings.errors[page])} | {rates[page]:.1f} "
            f"| {percentile(values, 50):.0f} | {percentile(values, 95):.0f} "
            f"| {percentile(values, 99):.0f} |"
        )
    errors = sum(len(e) for e in timings.errors.values())
    ratio = rates["scorecard"] / rates["baseline"] if rates["baseline"] else 0
    cores, memory = os.cpu_count(), memory_gb()
    lines = [
        "# Load test",
        "",
        "Written by `make loadtest` (`tests/loadtest.py`); figures from the last run, on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Timings are reported, never asserted.",
        "",
        f"- Machine: {cores} cores, {memory} GB memory, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; PostgreSQL, Redis, the Celery worker, gunicorn and "
        "the client all on it (loopback). Load average (1 minute) before the run "
        f"{load[0]:.1f}, after it {load[1]:.1f}: above the core count, other work on the machine "
        "shared the cores and every figure is slower for it.",
        f"- gunicorn (`config/gunicorn.conf.py`): {gunicorn_settings}; production settings, "
        "static files collected and served by WhiteNoise; the cache in Redis.",
        "- Data: `manage.py load_sample` (the reference scorecard, January 2015): "
        f"{facts['areas']} areas, {len(facts['measures'])} measures, {facts['returns']} returns, "
        f"{facts['results']:,} result cells: the sample, whose demo accounts the client signs in "
        "as. The pages at 40 areas × 120 measures are in `docs/benchmarks.md` (cached, 17 to 21 "
        "ms in one process).",
        f"- Load: {seconds} s, {DIRECTORS} signed-in directors, each its own session, four on each "
        "page below, each requesting again as soon as its page arrives; "
        + (
            "meanwhile a performance officer and a team manager go round reopen, submit and "
            "approve on one return through the real pages, each approval and reopening setting "
            "off a recalculation on the worker."
            if with_approvals
            else "no approvals (`--no-approvals`): no recalculation runs, the cache stays warm."
        ),
        "",
        "| Page | Requests | Errors | Requests/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"- Errors: {errors}.",
        f"- Approvals: {timings.counts['approved']} (reopened {timings.counts['reopened']}, "
        f"submitted {timings.counts['submitted']}); recalculations started during the run: "
        f"{runs['succeeded']} succeeded, {runs['failed']} failed, {runs['running']} still running "
        "at the end.",
        f"- The scorecard's throughput against the baseline's: {rates['scorecard']:.1f} / "
        f"{rates['baseline']:.1f} = {ratio:.2f} ({'at least' if ratio >= 0.5 else 'below'} the "
        "half issue 15 asks for).",
        "",
    ]
    for page, messages in timings.errors.items():
        for message in messages[:5]:
            lines.append(f"- Error on {page}: {message}")
    ok = errors == 0 and (
        with_approvals is False or (timings.counts["approved"] and runs["succeeded"])
    )
    return "\n".join(lines).rstrip() + "\n", ok


def memory_gb() -> str:
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        return f"{kib / 1024 / 1024:.0f}"
    except (OSError, AttributeError):
        return "?"


def gunicorn_settings(env) -> str:
    code = (
        "import runpy; c = runpy.run_path('config/gunicorn.conf.py'); "
        "print(f\"{c['workers']} workers × {c['threads']} threads ({c['worker_class']}), "
        "timeout {c['timeout']} s\")"
    )
    return subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, text=True, capture_output=True
    ).stdout.strip()


def main():
    # Ctrl-C or SIGTERM (make, tests/services.py): unwind, stopping gunicorn and the worker.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--output", default=str(ROOT / "docs" / "loadtest.md"))
    parser.add_argument(
        "--no-approvals",
        action="store_true",
        help="directors only, no officer: to see what the recalculations cost the pages",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    try:
        port = free_port()
        databases = own_database(service_environment(work / "static", port, MailSink().port))
        env = databases["app"]
        facts = prepare(databases["owner"], env)
        if facts["return"] is None:
            raise SystemExit("loadtest: the data set has no approved return of the manager's")
        settings = gunicorn_settings(env)
        with Service(env, work) as service:
            wait_until_serving(service, port)
            print(
                f"loadtest: gunicorn {settings} on 127.0.0.1:{port}; {args.seconds} s of load",
                flush=True,
            )
            since = datetime.now(UTC).isoformat()
            load_before = os.getloadavg()[0]
            timings, elapsed = drive(port, facts, args.seconds, not args.no_approvals)
            load_after = os.getloadavg()[0]
            time.sleep(2)  # the last kick reaches the worker
            service.check_alive()
            runs = runs_since(env, since)
            server_errors = service.log("gunicorn").count("Traceback")
        text, ok = report(
            facts,
            timings,
            elapsed,
            runs,
            settings,
            args.seconds,
            (load_before, load_after),
            not args.no_approvals,
        )
        if server_errors:
            text += f"- Tracebacks in gunicorn's log: {server_errors}.\n"
            ok = False
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(text)
        print(f"loadtest: written to {output}")
        if not ok:
            print("loadtest: FAILED (errors, or no approval or recalculation)", file=sys.stderr)
            print(service.log("gunicorn")[-4000:], file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
