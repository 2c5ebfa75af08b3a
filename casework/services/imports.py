"""Import jobs: started from the upload page, run in the worker (an outbox message), progress
on the row."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import may_edit_member
from casework.errors import DomainError, NotFound
from casework.member_import import ImportFileError, import_members
from casework.models import ImportJob, ImportStatus, Organisation
from casework.outbox import outbox_enqueue

# Outbox kind: {"job_id": ...}; its handler calls import_job_execute in the worker.
MEMBER_IMPORT_RUN = "member_import.run"
log = logging.getLogger(__name__)
REPORT_LIMIT = 2000  # issues kept on the job for the page; the command prints them all


def import_job_start(
    *,
    organisation: Organisation,
    actor: AbstractBaseUser,
    upload: File[bytes],
    original_name: str,
    dry_run: bool = False,
    atomic: bool = False,
) -> ImportJob:
    """Store the upload and queue its import (after commit)."""
    if not may_edit_member(actor, organisation):
        raise NotFound(_("未找到该组织。"))
    suffix = Path(original_name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise DomainError(_("只支持 .xlsx 或 .csv 文件。"), code="import_file")
    stored = default_storage.save(f"imports/{timezone.now():%Y%m%d}/upload{suffix}", upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            organisation=organisation,
            created_by=actor,  # type: ignore[misc]
            original_name=Path(original_name).name[:200],
            stored_name=stored,
            dry_run=dry_run,
            atomic=atomic,
        )
        outbox_enqueue(MEMBER_IMPORT_RUN, {"job_id": job.pk})
    return job


def import_job_execute(*, job_id: int, retake: bool = False) -> ImportJob | None:
    """Run a pending job once (compare-and-set pending → running); the upload is deleted after.

    `retake`: the outbox delivers the job again after an attempt that died mid-way (a killed
    worker: its lease ran out): a job left `running` is run again. Rows are upserted by ID
    number, so members the first attempt wrote come out unchanged. An import that fails with
    an error ends `failed` with a message (the user uploads again), never stays `running`."""
    statuses = [ImportStatus.PENDING, ImportStatus.RUNNING] if retake else [ImportStatus.PENDING]
    claimed = ImportJob.objects.filter(pk=job_id, status__in=statuses).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

    suffix = Path(job.stored_name).suffix
    try:
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / f"upload{suffix}"
            with default_storage.open(job.stored_name, "rb") as src, local.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            report = import_members(
                path=local,
                organisation=job.organisation,
                actor=job.created_by,
                name=job.original_name,
                dry_run=job.dry_run,
                atomic=job.atomic,
                progress=progress,
            )
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, message=str(exc), finished_at=timezone.now()
        )
    except Exception:
        log.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=str(_("导入中断，请重新上传。")),
            finished_at=timezone.now(),
        )
    else:
        data = report.as_dict()
        data["errors"] = data["errors"][:REPORT_LIMIT]
        data["warnings"] = data["warnings"][:REPORT_LIMIT]
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE,
            total_rows=report.total,
            processed_rows=report.total,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            report=data,
            finished_at=timezone.now(),
        )
    finally:
        default_storage.delete(job.stored_name)
    return ImportJob.objects.get(pk=job_id)
