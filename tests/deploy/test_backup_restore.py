"""Backup, wipe and restore a seeded database with deploy/backup.sh and deploy/restore.sh."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COUNTS = {
    "organisations": "SELECT count(*) FROM casework_organisation",
    "members": "SELECT count(*) FROM casework_member",
    "audit events": "SELECT count(*) FROM casework_auditevent",
    "users": "SELECT count(*) FROM auth_user",
}


def _run(args: list[str], env: dict[str, str], timeout: float = 240) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result.stdout


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in COUNTS.items()}  # type: ignore[index]


@pytest.mark.postgres
def test_a_seeded_database_and_its_documents_survive_backup_wipe_and_restore(
    tmp_path: Path,
) -> None:
    db = settings.DATABASES["default"]
    name = f"{str(db['NAME']).removeprefix('test_')}_backupcheck"
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    admin_url, url = f"{server}/postgres", f"{server}/{name}"
    assert urlparse(url).path == f"/{name}"

    def recreate() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    var = tmp_path / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "DATABASE_URL": url,
        "LIANLUO_VAR_DIR": str(var),
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, "manage.py"]
    recreate()
    try:
        _run([*manage, "migrate", "--noinput", "-v0"], env)
        _run([*manage, "seed_demo", "--members", "25", "--no-story"], env)
        stored = _run(
            [
                *manage,
                "shell",
                "-c",
                "from django.core.files.base import ContentFile\n"
                "from django.core.files.storage import default_storage\n"
                "print(default_storage.save('documents/2026/notice.pdf',"
                " ContentFile(b'%PDF-1.7 lianluo backup check')))",
            ],
            env,
        ).splitlines()[-1]
        document = var / "media" / stored
        digest = hashlib.sha256(document.read_bytes()).hexdigest()
        before = _counts(url)
        assert before["members"] == 25 and before["audit events"] > 0

        backup_dir = Path(
            _run(["bash", "deploy/backup.sh", str(tmp_path / "backups")], env).strip()
        )
        assert {p.name for p in backup_dir.iterdir()} == {"db.dump", "media.tar.gz", "SHA256SUMS"}

        # Disaster: the database and the stored documents are gone.
        recreate()
        shutil.rmtree(var / "media")
        assert not document.exists()

        _run(["bash", "deploy/restore.sh", str(backup_dir)], env)
        assert _counts(url) == before
        assert hashlib.sha256(document.read_bytes()).hexdigest() == digest
        chain = _run([*manage, "verify_audit_chain"], env)
        assert "audit chain intact" in chain
        # The personal data still decrypts with the same keys.
        decrypted = _run(
            [
                *manage,
                "shell",
                "-c",
                "from casework.models import Member\n"
                "print(sum(1 for m in Member.objects.all() if len(m.id_number) == 18))",
            ],
            env,
        ).splitlines()[-1]
        assert decrypted == "25"
        # A restore into a database that is not empty is refused.
        refused = subprocess.run(
            ["bash", "deploy/restore.sh", str(backup_dir)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert refused.returncode != 0 and "not empty" in refused.stderr
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
