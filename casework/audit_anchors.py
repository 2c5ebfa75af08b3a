"""Anchors: signed copies of every audit stream's head, kept outside the database.

Celery beat writes one anchor file an hour (LIANLUO_AUDIT_ANCHOR_SECONDS) into
LIANLUO_AUDIT_ANCHOR_DIR: the seq and hash of each stream's head, HMAC-signed with the audit
key. The chain itself proves that nothing *inside* a stream was edited; an anchor proves that
nothing was cut off its *end*: whoever deletes the last events and moves the head back (with
the triggers disabled, as a database superuser could) leaves an anchored event missing, which
`verify_audit_chain --anchors` reports. Put the directory where the database's administrators
cannot rewrite it (another host, a write-once bucket mount, a log shipper's spool).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from casework.audit_keys import UnknownKey, sign, signing_key_id
from casework.models import AuditEvent, AuditStream

ANCHOR_DOMAIN = b"lianluo-audit-anchor-v1\n"
VERSION = 1


def anchor_dir() -> Path:
    return Path(settings.LIANLUO_AUDIT_ANCHOR_DIR)


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def anchor_write(*, directory: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Write one signed anchor of every stream's head; returns the file (never overwritten)."""
    directory = directory or anchor_dir()
    directory.mkdir(parents=True, exist_ok=True)
    moment = now or timezone.now()
    heads = AuditStream.objects.filter(seq__gt=0).order_by("key")
    body: dict[str, Any] = {
        "version": VERSION,
        "at": moment.isoformat(),
        "key_id": signing_key_id(),
        "streams": {
            key: {"seq": seq, "hash": head}
            for key, seq, head in heads.values_list("key", "seq", "head_hash")
        },
    }
    signed = {**body, "signature": sign(ANCHOR_DOMAIN + _canonical(body))}
    stamp = moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"anchor-{stamp}.json"
    temporary = directory / f".{path.name}.tmp"
    temporary.write_text(json.dumps(signed, ensure_ascii=False, indent=1) + "\n")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.link(temporary, path)  # fails rather than overwrite an existing anchor
    temporary.unlink()
    path.chmod(0o444)
    return path


@dataclass(frozen=True)
class AnchorProblem:
    anchor: str
    stream: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"stream {self.stream}, seq {self.seq}" if self.stream else "file"
        return f"anchor {self.anchor}: {where}: {self.problem}"


@dataclass
class AnchorReport:
    files: int = 0
    checked: int = 0  # (stream, seq) pairs compared with the database


def _load(path: Path) -> dict[str, Any] | AnchorProblem:
    try:
        signed = json.loads(path.read_text())
        body = {k: v for k, v in signed.items() if k != "signature"}
        expected = sign(ANCHOR_DOMAIN + _canonical(body), kid=str(body["key_id"]))
    except UnknownKey as exc:
        return AnchorProblem(path.name, "", None, f"signed with an unknown key {exc}")
    except (ValueError, KeyError, TypeError, AttributeError):
        return AnchorProblem(path.name, "", None, "unreadable")
    if signed.get("signature") != expected:
        return AnchorProblem(path.name, "", None, "signature does not match (forged or edited)")
    return body


def anchors_verify(directory: Path | None = None) -> tuple[AnchorReport, list[AnchorProblem]]:
    """Compare every anchor in `directory` with the database: each anchored head must still be
    in its stream with the same hash, and no stream may end before its anchored seq."""
    directory = directory or anchor_dir()
    files = sorted(directory.glob("anchor-*.json")) if directory.is_dir() else []
    report = AnchorReport(files=len(files))
    problems: list[AnchorProblem] = []
    if not files:
        problems.append(AnchorProblem(str(directory), "", None, "no anchor files found"))
        return report, problems
    anchored: dict[str, dict[int, tuple[str, str]]] = {}  # stream → seq → (hash, file)
    for path in files:
        loaded = _load(path)
        if isinstance(loaded, AnchorProblem):
            problems.append(loaded)
            continue
        for stream, head in loaded["streams"].items():
            anchored.setdefault(stream, {})[int(head["seq"])] = (str(head["hash"]), path.name)
    heads = dict(AuditStream.objects.values_list("key", "seq"))
    for stream in sorted(anchored):
        by_seq = anchored[stream]
        last = max(by_seq)
        if heads.get(stream, 0) < last:
            problems.append(
                AnchorProblem(
                    by_seq[last][1],
                    stream,
                    last,
                    f"anchored at seq {last} but the stream now ends at seq "
                    f"{heads.get(stream, 0)}: events were removed",
                )
            )
        stored = dict(
            AuditEvent.objects.filter(stream=stream, seq__in=list(by_seq)).values_list(
                "seq", "hash"
            )
        )
        for seq, (digest, name) in sorted(by_seq.items()):
            report.checked += 1
            if seq not in stored:
                problems.append(AnchorProblem(name, stream, seq, "anchored event is missing"))
            elif stored[seq] != digest:
                problems.append(AnchorProblem(name, stream, seq, "event differs from its anchor"))
    return report, problems


__all__ = ["AnchorProblem", "AnchorReport", "anchor_dir", "anchor_write", "anchors_verify"]
