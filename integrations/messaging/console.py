"""Development backends: print to the console or append JSON lines to a file."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

from django.conf import settings

from integrations.messaging.base import MessageResult, OutboundMessage


class ConsoleBackend:
    def send(self, message: OutboundMessage) -> MessageResult:
        sys.stdout.write(f"[message {message.template}] {message.text}\n")
        return MessageResult(ok=True, provider_id=f"console-{uuid.uuid4().hex[:12]}")


class FileBackend:
    """One JSON object per line in LIANLUO_MESSAGE_FILE_DIR/messages.jsonl."""

    def send(self, message: OutboundMessage) -> MessageResult:
        folder = Path(settings.LIANLUO_MESSAGE_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{uuid.uuid4().hex[:12]}"
        record = {
            "id": provider_id,
            "to": message.to,
            "template": message.template,
            "params": message.params,
            "text": message.text,
        }
        with (folder / "messages.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return MessageResult(ok=True, provider_id=provider_id)
