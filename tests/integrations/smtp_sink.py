"""A real SMTP server in its own process, for fault tests: every message is written to a spool
directory (fsync'd) before the server replies, so what the receiver got survives a kill.

    python -m tests.integrations.smtp_sink --port 2525 --spool DIR [--die-on-data]
        [--delay-reply SECONDS] [--refuse-once ADDRESS ...]

--die-on-data     store the first message, then SIGKILL itself before replying 250
--delay-reply     store each message, then wait before replying (a slow receiver)
--refuse-once     answer RCPT TO for ADDRESS with 451 (try again later) the first time
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class SpoolHandler:
    def __init__(self, spool: Path, die_on_data: bool, delay: float, refuse: set[str]) -> None:
        self.spool = spool
        self.die_on_data = die_on_data
        self.delay = delay
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            self.refuse.discard(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        header = f"X-Sink-Rcpt: {','.join(envelope.rcpt_tos)}\r\n".encode()
        path = self.spool / name
        with open(path, "wb") as handle:
            handle.write(header + envelope.content)
            handle.flush()
            os.fsync(handle.fileno())
        if self.die_on_data:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", type=Path, required=True)
    parser.add_argument("--die-on-data", action="store_true")
    parser.add_argument("--delay-reply", type=float, default=0.0)
    parser.add_argument("--refuse-once", nargs="*", default=[])
    args = parser.parse_args()
    args.spool.mkdir(parents=True, exist_ok=True)
    handler = SpoolHandler(args.spool, args.die_on_data, args.delay_reply, set(args.refuse_once))
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    while True:  # until SIGTERM or SIGKILL
        time.sleep(3600)


if __name__ == "__main__":
    main()
