"""manage.py verify_audit_chain: exit 0 when every stream is intact, 1 naming the first break."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from casework.audit import verify_audit_chain
from casework.models import AuditEvent


class Command(BaseCommand):
    help = "Recompute the audit hash chains and report the first broken event of each stream."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = verify_audit_chain()
        if not breaks:
            count = AuditEvent.objects.count()
            self.stdout.write(f"audit chain intact: {count} events verified")
            return
        for item in breaks:
            self.stderr.write(f"audit chain broken: {item}")
        sys.exit(1)
