"""Real processes for fault tests: a Redis of our own, a Celery worker and beat, an SMTP sink.

Each runs as a subprocess on a free loopback port and can be stopped, killed (SIGKILL) and
started again. The worker and beat use the test database (committed data: the tests use
`transactional_db`) and our own Redis as broker; the test process publishes to the same Redis.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.db import connection

from tests.integrations.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_for(check: Callable[[], Any], *, timeout: float = 60, step: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {check}")
        time.sleep(step)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """One subprocess with its log file; `start()` again after `stop()` or `kill()`."""

    def __init__(self, name: str, logdir: Path) -> None:
        self.name = name
        self.log = logdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def ready(self) -> bool:
        return True

    def start(self) -> None:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        wait_for(self._ready_or_dead, timeout=60)
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited at start; see {self.log}")

    def _ready_or_dead(self) -> bool:
        return self.proc is None or self.proc.poll() is not None or self.ready()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL the whole process group (a worker and its children), no clean-up."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class RedisProcess(Process):
    """redis-server without persistence: a restart loses whatever the broker held."""

    def __init__(self, logdir: Path) -> None:
        super().__init__("redis", logdir)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.log.parent),
        ]

    def ready(self) -> bool:
        return _port_open(self.port)


def app_env(broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker or beat on the test database and our broker."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="settings.test",
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        CELERY_BROKER_URL=broker_url,
        LIANLUO_TEST_TASKS_EAGER="0",
        LIANLUO_LOG_FORMAT="plain",
    )
    env.update(extra)
    return env


class WorkerProcess(Process):
    def __init__(self, name: str, logdir: Path, env: dict[str, str]) -> None:
        super().__init__(name, logdir)
        self._env = env

    def env(self) -> dict[str, str]:
        return self._env

    def command(self) -> list[str]:
        return [
            CELERY,
            "-A",
            "settings",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={self.name}@%h",
            "--loglevel=INFO",
        ]

    def ready(self) -> bool:
        return "ready." in self.output()


class BeatProcess(Process):
    def __init__(self, logdir: Path, env: dict[str, str]) -> None:
        super().__init__("beat", logdir)
        self._env = env

    def env(self) -> dict[str, str]:
        return self._env

    def command(self) -> list[str]:
        return [
            CELERY,
            "-A",
            "settings",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.log.parent / 'beat-schedule'}",
        ]

    def ready(self) -> bool:
        return "beat: Starting" in self.output()


class SmtpSinkProcess(Process):
    """tests/integrations/smtp_sink.py in its own process; messages land in `spool`."""

    def __init__(self, logdir: Path, port: int | None = None) -> None:
        super().__init__("smtp", logdir)
        self.port = port or free_port()
        self.spool = logdir / "spool"
        self.options: list[str] = []

    def command(self) -> list[str]:
        return [
            PYTHON,
            "-m",
            "tests.integrations.smtp_sink",
            "--port",
            str(self.port),
            "--spool",
            str(self.spool),
            *self.options,
        ]

    def ready(self) -> bool:
        return _port_open(self.port)

    def start_with(self, *options: str) -> None:
        self.options = list(options)
        self.start()

    def messages(self) -> list[EmailMessage]:
        if not self.spool.exists():
            return []
        found = []
        for path in sorted(self.spool.glob("*.eml")):
            parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
        return found

    def received_once_per_message_id(self) -> dict[str, EmailMessage]:
        """What a receiver that drops copies by Message-ID keeps."""
        kept: dict[str, EmailMessage] = {}
        for message in self.messages():
            kept.setdefault(str(message["Message-ID"]), message)
        return kept


@contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """Make this (test) process publish Celery messages to `broker_url` instead of running
    tasks in-process, as the web process does in production."""
    from settings.celery import app

    keys = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager")
    old = {key: app.conf[key] for key in keys}

    def drop_pools() -> None:
        # What Celery itself does after a fork (Celery._after_fork): forget the app's
        # connection and producer pools, so the next publish takes the pool of the configured
        # broker (kombu keeps one per broker URL; closing it would break it for later tests).
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    drop_pools()
    app.conf.update(
        broker_url=broker_url,
        broker_write_url=broker_url,
        broker_read_url=broker_url,
        task_always_eager=False,
    )
    try:
        yield
    finally:
        drop_pools()
        app.conf.update(old)
