"""Browser tests: the system's Chromium driven by Playwright against a live server.

The server is pytest-django's `live_server` (a thread in this process, on the
test database; `live_server` makes the test transactional so the server sees
what the test writes). Each test starts from the sample scorecard, calculated.

These tests never skip: without /usr/bin/chromium they fail, loudly.
"""

import json
import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "scorecard-demo-2015"  # the sample's demo logins
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE_SCRIPT = "/static/vendor/axe-core/axe.min.js"
# WCAG 2.2 AA, as the public sector accessibility regulations require.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 15_000


AXE_REPORT: list[tuple[str, int]] = []  # (page, violations) for the summary below
AXE_FINDINGS: list[str] = []


def pytest_terminal_summary(terminalreporter):
    """Every axe finding in the test output, passing or not: the serious and
    critical ones fail their test; moderate and minor ones are listed here."""
    if not AXE_REPORT:
        return
    terminalreporter.section("axe-core (WCAG 2.2 AA)")
    terminalreporter.write_line(f"{len(AXE_REPORT)} pages checked; {len(AXE_FINDINGS)} findings")
    for line in AXE_FINDINGS:
        terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def allow_async_unsafe():
    """Playwright's sync API keeps an event loop running in the main thread, which
    Django's async-safety check takes for async code. Relaxed for these tests
    only: set while Playwright runs (a module's tests), restored when it stops, so
    the rest of the suite keeps the check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(allow_async_unsafe):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need the system Chromium "
            "(apt-get install chromium, or run .ci/run). They are never skipped.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def sample_site(live_server, allow_async_unsafe):
    """The live server with the sample loaded and calculated, as `make run` serves it."""
    from tests import snapshot

    snapshot.sample()  # committed: the flush after each test empties the database again
    return live_server.url


class Session:
    """One person's browser context, signed in through the sign-in form."""

    def __init__(self, browser, base_url, role, *, javascript=True):
        self.role = role
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url,
            java_script_enabled=javascript,
            accept_downloads=True,
            locale="en-GB",
            viewport={"width": 1280, "height": 900},
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.javascript = javascript
        # Script errors and Content-Security-Policy refusals; not the 4xx responses
        # the tests provoke on purpose ("Failed to load resource").
        self.console_errors = []
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith("Failed to load resource")
                and self.console_errors.append(m.text)
            ),
        )

    def goto(self, path):
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (
            f"{path}: {response.status if response else 'no response'}"
        )
        return response

    def sign_in(self, username):
        page = self.page
        self.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not sign in: {page.url}"

    def screenshot(self, name, *, role=None):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        suffix = "" if self.javascript else "-no-js"
        slug = re.sub(r"[^a-z0-9]+", "-", f"{role or self.role}-{name}{suffix}".lower()).strip("-")
        self.page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"), full_page=True)

    def check_accessibility(self, name, *, role=None):
        """axe-core on the page as it is now: no serious or critical violation;
        the moderate and minor ones are printed. Takes the screenshot as well."""
        self.screenshot(name, role=role)
        assert_accessible(self.page, f"{role or self.role}: {name} ({self.page.url})")


def assert_accessible(page, label):
    # Same origin, so the site's Content-Security-Policy (no inline scripts) allows it.
    page.add_script_tag(url=AXE_SCRIPT)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = results["violations"]
    AXE_REPORT.append((label, len(violations)))
    for violation in violations:
        nodes = "; ".join(
            " ".join(node["target"])
            if isinstance(node["target"], list)
            else json.dumps(node["target"])
            for node in violation["nodes"][:5]
        )
        line = (
            f"[{violation['impact']}] {label}: {violation['id']}: "
            f"{violation['help']} ({len(violation['nodes'])} nodes: {nodes})"
        )
        print(f"axe {line}")
        AXE_FINDINGS.append(line)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{label}: serious or critical accessibility violations: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(node["html"][:200] for node in v["nodes"][:5])
        for v in blocking
    )
    if not violations:
        print(f"axe {label}: no violations")


@pytest.fixture
def sign_in(browser, sample_site):
    """sign_in(role, username, javascript=True) -> a Session; contexts closed afterwards."""
    sessions = []

    def open_session(role, username, *, javascript=True):
        session = Session(browser, sample_site, role, javascript=javascript)
        sessions.append(session)
        if username:
            session.sign_in(username)
        return session

    yield open_session
    for session in sessions:
        session.context.close()
