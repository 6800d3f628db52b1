"""The service as the README's Production section starts it: the Procfile's web
process (gunicorn with config/gunicorn.conf.py) on production settings serves
its pages and static files after `collectstatic`, and refuses to start, saying
why, without it."""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION, ROOT

BIN = Path(sys.executable).parent
HOST = PRODUCTION["ALLOWED_HOSTS"]


def environment(static_root, **more):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    env.update(PRODUCTION, STATIC_ROOT=str(static_root), **more)
    return env


def procfile(process: str) -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            argv = shlex.split(command)
            return [str(BIN / argv[0]), *argv[1:]]
    raise AssertionError(f"no {process} process in the Procfile")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port, path):
    """As the proxy in front would ask: HTTPS ended there, the public host name."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": HOST, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def web(tmp_path):
    """The Procfile's web process, after collectstatic; its port."""
    static_root = tmp_path / "staticfiles"
    port = free_port()
    env = environment(static_root, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    log = open(tmp_path / "web.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(procfile("web"), cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None, (tmp_path / "web.log").read_text()
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_after_collectstatic_the_web_process_serves_a_page_and_its_static_files(web):
    status, _, body = fetch(web, "/login/")
    assert status == 200, body[:2000]
    page = body.decode()
    assert "Sign in" in page
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', page)
    assert stylesheets and scripts
    for path in stylesheets + scripts:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", path), path  # the manifest's names
        status, headers, _ = fetch(web, path)
        assert status == 200, path
        assert "immutable" in headers["Cache-Control"], path  # WhiteNoise, cached for good


def test_without_collectstatic_the_web_process_refuses_to_start_and_says_why(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=environment(tmp_path / "never-collected"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "collectstatic" in result.stderr and "never-collected" in result.stderr


SOURCES = ("config", "scorecard", "workforce")
READS = re.compile(
    r"""(?:environ\.get|environ\.setdefault|env_bool|env_list|require_env)\(\s*["']([A-Z_]+)["']"""
    r"""|PASSWORD_VARIABLE = ["']([A-Z_]+)["']"""
)


def test_every_environment_variable_read_is_in_the_readme():
    names = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            names |= {a or b for a, b in READS.findall(path.read_text(encoding="utf-8"))}
    assert {"SECRET_KEY", "DATABASE_URL", "GUNICORN_WORKERS", "EMAIL_HOST"} <= names  # it reads
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.partition("## Settings (environment)")[2].partition("\n## ")[0]
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert not missing, f"add these to the README's Settings (environment): {missing}"
