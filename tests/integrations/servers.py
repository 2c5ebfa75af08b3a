"""Real local servers for channel tests: SMTP (aiosmtpd) and a signed-HTTP department endpoint."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from integrations.signing import (
    DEPARTMENT_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<free port>; stop() and start() again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Collect()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[tuple[list[str], Message]]:
        return self.handler.messages

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class DepartmentEndpoint:
    """http.server in a thread that verifies signatures; `fail_first` calls answer 503."""

    def __init__(self, key: str, fail_first: int = 0) -> None:
        self.key = key
        self.fail_first = fail_first
        self.calls: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(
                    key=outer.key,
                    timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                    department=self.headers.get(DEPARTMENT_HEADER, ""),
                    idempotency_key=self.headers.get(IDEMPOTENCY_HEADER, ""),
                    body=body,
                    signature=self.headers.get(SIGNATURE_HEADER, ""),
                )
                call = {
                    "signature_ok": ok,
                    "idempotency_key": self.headers.get(IDEMPOTENCY_HEADER),
                    "json": json.loads(body),
                }
                outer.calls.append(call)
                if not ok:
                    self._reply(401, {"error": "bad signature"})
                elif len(outer.calls) <= outer.fail_first:
                    self._reply(503, {"error": "try later"})
                else:
                    keys = {c["idempotency_key"] for c in outer.accepted}
                    if call["idempotency_key"] not in keys:
                        outer.accepted.append(call)
                    self._reply(202, {"status": "accepted"})

            def _reply(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inquiries"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
