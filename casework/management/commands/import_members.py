"""manage.py import_members FILE --org CODE [--dry-run] [--json] [--atomic]

Exit status: 0 no row rejected; 1 some rows rejected (valid rows imported unless --dry-run,
nothing imported with --atomic); 2 the file is unusable (nothing written); 3 a wrong
argument: no organisation with that --org code, no such --user (nothing read or written).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.member_import import ImportFileError, import_members
from casework.models import Organisation


class Command(BaseCommand):
    help = "Import members from an .xlsx or .csv file with Chinese column headers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="code of the organisation to import into")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--atomic", action="store_true", help="import nothing if any row is rejected"
        )
        parser.add_argument("--user", help="username to attribute the import to")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(code=options["org"]).first()
        if organisation is None:
            raise CommandError(f"no organisation with code {options['org']!r}", returncode=3)
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}", returncode=3)
        path = Path(options["file"])
        try:
            report = import_members(
                path=path,
                organisation=organisation,
                actor=actor,
                dry_run=options["dry_run"],
                atomic=options["atomic"],
            )
        except ImportFileError as exc:
            if options["json"]:
                self.stdout.write(
                    json.dumps({"exit_code": 2, "error": str(exc)}, ensure_ascii=False)
                )
            else:
                self.stderr.write(f"文件不可用：{exc}（未写入任何数据）")
            sys.exit(2)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            mode = "（试运行，未写入）" if report.dry_run else ""
            if report.atomic and report.rejected:
                mode = "（整体导入：存在错误行，未写入任何数据）"
            self.stdout.write(
                f"共 {report.total} 行：新增 {report.created}，更新 {report.updated}，"
                f"未变 {report.unchanged}，拒绝 {report.rejected}{mode}"
            )
            for issue in report.errors:
                self.stdout.write(f"第{issue.row}行 [{issue.column}] {issue.reason}")
            for issue in report.warnings:
                self.stdout.write(f"第{issue.row}行 [{issue.column}] 提示：{issue.reason}")
        if report.exit_code:
            sys.exit(report.exit_code)
