#!/usr/bin/env python3
"""End-to-end smoke test of the production process set (Procfile: gunicorn, worker, beat).

    .venv/bin/python deploy/smoke.py        (make smoke; used by .ci/run)

Creates a fresh PostgreSQL database, migrates it, seeds demo data, starts the Procfile's
processes with settings.production on a loopback port, then, over real HTTP: probes, logs in
(CSRF), opens the home page, enqueues a task the real worker runs, reads /metrics, and — once
the documents engine provides it — opens a case and downloads its PDF. Finally it stops every
process it started and checks none is left. Every step is bounded in time.

Environment: SMOKE_PG_URL [postgres://postgres@127.0.0.1:5432/postgres] (a maintenance DB on
the server to use), SMOKE_DB [lianluo_smoke], SMOKE_REDIS_URL [redis://127.0.0.1:6379/12]
(a Redis db of its own: it is flushed), SMOKE_TIMEOUT [480] seconds overall.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
HONCHO = str(ROOT / ".venv" / "bin" / "honcho")
DEMO_USER, DEMO_PASSWORD = "admin", "Lianluo@2026"


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """A tiny HTTP client that talks to gunicorn the way nginx does (X-Forwarded-Proto: https).

    The production cookies are Secure, so it keeps them itself instead of a cookie jar that
    would refuse to send them over the loopback's plain HTTP.
    """

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            data = raw.read()
            set_cookies = raw.headers.get_all("Set-Cookie") or []
            response = Response(
                raw.status, {k.lower(): v for k, v in raw.getheaders()}, set_cookies, data
            )
        finally:
            conn.close()
        for cookie in set_cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        from urllib.parse import urlencode

        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            },
        )


@dataclass
class Stack:
    """The environment and processes of one smoke run."""

    work: Path
    port: int
    env: dict[str, str]
    database_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    metrics_token: str = ""

    def manage(self, *args: str, timeout: float = 180, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def log_tail(self, lines: int = 60) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], bool], timeout: float, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except (OSError, http.client.HTTPException, psycopg.Error) as exc:
            last_error = f" (last error: {type(exc).__name__}: {exc})"
        time.sleep(interval)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}{last_error}")


# --- Steps ------------------------------------------------------------------------------------
def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def migrate_and_seed(stack: Stack) -> None:
    stack.manage("migrate", "--noinput", "-v0")
    out = stack.manage("seed_demo", "--members", "40")
    check(DEMO_USER in out, "seed_demo did not create the demo administrator")


def start_processes(stack: Stack) -> None:
    stack.log_path = stack.work / "honcho.log"
    empty_env = stack.work / "empty.env"
    empty_env.write_text("")
    log = stack.log_path.open("wb")
    stack.process = subprocess.Popen(
        [
            HONCHO,
            "--no-colour",
            "--env",
            str(empty_env),
            "--procfile",
            str(ROOT / "Procfile"),
            "--app-root",
            str(ROOT),
            "start",
            "--port",
            str(stack.port),
        ],
        cwd=ROOT,
        env=stack.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped (and checked) as one
    )
    log.close()
    browser = Browser(stack.port)
    wait_for("gunicorn to answer /healthz", lambda: browser.get("/healthz").status == 200, 60)


def probes_are_ready(stack: Stack) -> None:
    browser = Browser(stack.port)
    health = browser.get("/healthz")
    check(health.status == 200 and json.loads(health.body) == {"status": "ok"}, "healthz not ok")
    check(bool(health.headers.get("x-request-id")), "no X-Request-ID on responses")
    ready = browser.get("/readyz")
    body = json.loads(ready.body)
    check(ready.status == 200, f"readyz is {ready.status}: {body}")
    check(body["checks"]["broker"] == "ok", f"broker not ok in readyz: {body}")
    check(body["checks"]["database"] == "ok", f"database not ok in readyz: {body}")


def log_in(stack: Stack) -> Browser:
    browser = Browser(stack.port)
    # Plain HTTP without the proxy header is redirected to HTTPS (SECURE_SSL_REDIRECT).
    plain = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    plain.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{stack.port}"})
    redirect = plain.getresponse()
    plain.close()
    check(redirect.status == 301, f"plain HTTP was not redirected to HTTPS ({redirect.status})")
    page = browser.get("/accounts/login/")
    check(page.status == 200, f"login page answered {page.status}")
    check("登录" in page.text, "the login page is not in Chinese")
    check("content-security-policy" in page.headers, "no Content-Security-Policy header")
    check("strict-transport-security" in page.headers, "no HSTS header")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    check(match is not None, "no CSRF token in the login form")
    assert match is not None
    refused = Browser(stack.port).post_form(
        "/accounts/login/", {"username": DEMO_USER, "password": DEMO_PASSWORD}
    )
    check(refused.status == 403, f"a login without CSRF token was not refused ({refused.status})")
    response = browser.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": match.group(1), "username": DEMO_USER, "password": DEMO_PASSWORD},
    )
    check(response.status == 302, f"login answered {response.status}, expected a redirect")
    session = [c for c in response.set_cookies if c.startswith("sessionid=")]
    check(bool(session), "no session cookie after login")
    check(
        "secure" in session[0].lower() and "httponly" in session[0].lower(),
        f"session cookie is not Secure+HttpOnly: {session[0]}",
    )
    return browser


def home_page_shows_figures(browser: Browser) -> None:
    home = browser.get("/home/")
    check(home.status == 200, f"home page answered {home.status}")
    match = re.search(r'data-figure="members">([\d,]+)<', home.text)
    check(match is not None, "home page has no member figure")
    assert match is not None
    check(int(match.group(1).replace(",", "")) > 0, "home page shows no members after seeding")


def worker_runs_a_task(stack: Stack) -> None:
    """Enqueue casework.tasks.worker_heartbeat with a request id; the real worker records both."""
    token = uuid.uuid4().hex
    request_id = f"smoke-{token[:12]}"
    stack.manage(
        "shell",
        "-c",
        "from web.middleware import request_id_var\n"
        "from casework.tasks import worker_heartbeat\n"
        f"request_id_var.set({request_id!r})\n"
        f"worker_heartbeat.delay({token!r})\n",
        timeout=60,
    )
    found: dict[str, str] = {}

    def recorded() -> bool:
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT request_id FROM casework_auditevent "
                "WHERE action = 'worker.heartbeat' AND after->>'token' = %s",
                [token],
            ).fetchone()
        if row:
            found["request_id"] = row[0]
        return row is not None

    wait_for("the worker to run worker_heartbeat", recorded, 60)
    check(
        found["request_id"] == request_id,
        f"the task lost the request id: {found['request_id']!r} != {request_id!r}",
    )


def metrics_are_exposed(stack: Stack, browser: Browser) -> None:
    anonymous = Browser(stack.port).get("/metrics")
    check(anonymous.status == 403, f"/metrics is not protected ({anonymous.status})")

    def has_task_latency() -> bool:
        body = (
            Browser(stack.port)
            .get("/metrics", headers={"Authorization": f"Bearer {stack.metrics_token}"})
            .text
        )
        return 'task="casework.tasks.worker_heartbeat"' in body and "lianluo_http_requests" in body

    # The worker's histogram reaches the web process through PROMETHEUS_MULTIPROC_DIR.
    wait_for("task latency from the worker in /metrics", has_task_latency, 20)


def open_case_and_download_pdf(stack: Stack, browser: Browser) -> str:
    """Open a case, issue its register form; the real worker renders it; download the PDF.

    The case and the document are created through the casework and documents services (the
    case-opening screens are not there yet): their on-commit hook enqueues the render task on
    Redis, the Procfile's worker renders and stores the PDF, and the logged-in administrator
    downloads it over HTTP.
    """
    out = stack.manage(
        "shell",
        "-c",
        "from casework.models import Member\n"
        "from casework.services.cases import case_open\n"
        "from documents.issuing import case_documents_issue\n"
        "member = Member.objects.filter(cases__isnull=True).order_by('pk').first()\n"
        "org = member.organisation\n"
        "case = case_open(member=member, actor=None, reason='smoke test')\n"
        "(doc,) = case_documents_issue(kinds=['register_form'], case=case, actor=None)\n"
        "print('DOCUMENT', doc.pk)\n",
        timeout=90,
    )
    match = re.search(r"DOCUMENT (\d+)", out)
    check(match is not None, f"no document issued: {out[-500:]}")
    assert match is not None
    pk = int(match.group(1))
    status: dict[str, str] = {}

    def rendered() -> bool:
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT status FROM documents_document WHERE id = %s", [pk]
            ).fetchone()
        status["value"] = row[0] if row else "missing"
        return status["value"] in {"issued", "render_failed"}

    wait_for("the worker to render the document", rendered, 120, interval=1)
    check(status["value"] == "issued", f"document render ended as {status['value']}")
    pdf = browser.get(f"/documents/{pk}/download")
    check(pdf.status == 200, f"PDF download answered {pdf.status}: {pdf.text[:200]}")
    check(pdf.headers.get("content-type", "").startswith("application/pdf"), "not a PDF response")
    check(pdf.body.startswith(b"%PDF-"), "the download is not a PDF file")
    anonymous = Browser(stack.port).get(f"/documents/{pk}/download")
    check(anonymous.status in {302, 404}, f"anonymous download answered {anonymous.status}")
    return f"ok ({len(pdf.body)} bytes)"


def stop_processes(stack: Stack, timeout: float = 45) -> None:
    process = stack.process
    if process is None:
        return
    pgid = process.pid  # session leader: its pid is the group id
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)  # honcho passes SIGTERM to web, worker and beat
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        process.wait(timeout=10)
        raise SmokeFailure(f"honcho did not stop within {timeout:.0f} s") from None
    finally:
        stack.process = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _group_members(pgid):
        time.sleep(0.3)
    left = _group_members(pgid)
    if left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        raise SmokeFailure(f"processes left behind after stop: {left}")


def _group_members(pgid: int) -> list[str]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = stat.read_text()
            fields_after_name = text.rsplit(")", 1)[1].split()
            state, group = fields_after_name[0], int(fields_after_name[2])
            if group == pgid and state != "Z":
                members.append(f"{stat.parent.name}:{text.split('(', 1)[1].rsplit(')', 1)[0]}")
    return members


# --- Driver -----------------------------------------------------------------------------------
@contextlib.contextmanager
def stack_for_run() -> Iterator[Stack]:
    admin_url = os.environ.get("SMOKE_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    db_name = os.environ.get("SMOKE_DB", "lianluo_smoke")
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/12")
    parsed = urlparse(admin_url)
    database_url = parsed._replace(path=f"/{db_name}").geturl()
    work = Path(tempfile.mkdtemp(prefix="lianluo-smoke-"))
    port = free_port()
    token = secrets.token_urlsafe(24)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LIANLUO_", "CELERY_", "DATABASE_", "REDIS_", "SENTRY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "settings.production",
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "LIANLUO_PII_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "LIANLUO_BLIND_INDEX_KEY": secrets.token_hex(32),
            "LIANLUO_AUDIT_KEYS": secrets.token_hex(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "LIANLUO_VAR_DIR": str(work / "var"),
            "LIANLUO_TRUSTED_PROXY_COUNT": "0",
            "LIANLUO_METRICS_TOKEN": token,
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
            "LIANLUO_WORKER_CONCURRENCY": "1",
            "PYTHONUNBUFFERED": "1",
            "LIANLUO_FONT_DIR": os.environ.get(
                "LIANLUO_FONT_DIR", str(ROOT / "var" / "fonts" / "fandol")
            ),
        }
    )
    (work / "metrics").mkdir()
    (work / "var").mkdir()
    create_database(admin_url, db_name)
    flush_redis(redis_url)
    stack = Stack(work=work, port=port, env=env, database_url=database_url, metrics_token=token)
    try:
        yield stack
    finally:
        with contextlib.suppress(Exception):
            stop_processes(stack, timeout=20)
        with contextlib.suppress(Exception):
            drop_database(admin_url, db_name)
        if os.environ.get("SMOKE_KEEP_LOGS"):
            print(f"smoke: logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


class Alarm(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise Alarm()


def main() -> int:
    budget = int(os.environ.get("SMOKE_TIMEOUT", "480"))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(budget)
    passed: list[str] = []
    started = time.monotonic()
    try:
        with stack_for_run() as stack:
            try:
                steps: list[tuple[str, Callable[[], object]]] = [
                    ("migrate and seed a fresh database", lambda: migrate_and_seed(stack)),
                    ("start web, worker and beat (Procfile)", lambda: start_processes(stack)),
                    ("healthz and readyz (broker ok)", lambda: probes_are_ready(stack)),
                ]
                for name, step in steps:
                    _run(name, step, passed, started)
                browser = _run("log in over HTTP with CSRF", lambda: log_in(stack), passed, started)
                assert isinstance(browser, Browser)
                _run(
                    "home page with figures",
                    lambda: home_page_shows_figures(browser),
                    passed,
                    started,
                )
                _run(
                    "the real worker runs a task with the request id",
                    lambda: worker_runs_a_task(stack),
                    passed,
                    started,
                )
                _run(
                    "protected /metrics with the worker's task latency",
                    lambda: metrics_are_exposed(stack, browser),
                    passed,
                    started,
                )
                _run(
                    "open a case, the worker renders its PDF, download it",
                    lambda: open_case_and_download_pdf(stack, browser),
                    passed,
                    started,
                )
                _run(
                    "stop everything, no process left",
                    lambda: stop_processes(stack),
                    passed,
                    started,
                )
            except (SmokeFailure, Alarm, subprocess.TimeoutExpired) as exc:
                message = "overall time budget exceeded" if isinstance(exc, Alarm) else str(exc)
                print(f"smoke: FAILED: {message}", flush=True)
                print("---- last process output ----\n" + stack.log_tail(), flush=True)
                print(f"smoke: {len(passed)} passed, 1 failed", flush=True)
                return 1
    finally:
        signal.alarm(0)
    print(
        f"smoke: {len(passed)} passed, 0 failed in {time.monotonic() - started:.0f} s", flush=True
    )
    return 0


def _run(name: str, step: Callable[[], object], passed: list[str], started: float) -> object:
    result = step()
    passed.append(name)
    print(f"smoke: ok  {name} ({time.monotonic() - started:.0f} s)", flush=True)
    return result


if __name__ == "__main__":
    sys.exit(main())
