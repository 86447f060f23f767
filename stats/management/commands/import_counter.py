"""Check COUNTER R5/R5.1 reports. With --dry-run nothing is saved; the last line is one JSON
object: {"files": [{"file", "release", "report_id", "rows", "begin", "end", "metric_totals",
"replaces"} or {"file", "error"}]}. "replaces" says what saving the file replaces: the
earlier imports of the same report and institution ({"import", "file", "imported_at",
"counts", "begin", "end"}), the months, and each metric type's total in those months
"before" (the earlier imports') and "after" (this file's). Saved, a file's entry also gives
"import" (its id) and "replaced" (how many monthly counts it replaced). "begin" and "end" are the period's first
and last day as the header gives them. The command exits with status 1, after the JSON
line, when any file was refused (as import_figures does), so a script sees it."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from stats import services
from stats.counter import error_lines


class Command(BaseCommand):
    help = "Read COUNTER Release 5 / 5.1 reports (TSV, CSV, .xlsx or JSON); --dry-run checks and saves nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--report-id", help="for a tabular file without its header block")
        parser.add_argument("--release", choices=["5", "5.1"], help="for a tabular file without its header block")

    def handle(self, *args, paths, dry_run, report_id, release, **options):
        files, failed = [], False
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as error:
                files.append({"file": str(path), "error": str(error)})
                failed = True
                continue
            report, replaces = services.counter_import_preview(data=data, file_name=str(path), report_id=report_id,
                                                               release=release)
            if report.errors:
                for line in error_lines(report, str(path)):
                    self.stdout.write(line)
                files.append({"file": str(path), "error": "; ".join(m for _r, m in report.errors[:20])})
                failed = True
                continue
            for earlier in replaces["imports"]:
                self.stdout.write(_("%(file)s replaces %(other)s (import %(id)d) from %(begin)s to %(end)s.") % {
                    "file": path, "other": earlier["file"], "id": earlier["import"], "begin": earlier["begin"][:7],
                    "end": earlier["end"][:7]})
            if dry_run:
                files.append({"file": str(path), **report.summary(), "replaces": replaces})
                continue
            try:
                record = services.counter_import_save(data=data, file_name=path.name, by=None,
                                                      report_id=report_id, release=release)
            except ValidationError as error:
                files.append({"file": str(path), "error": " ".join(error.messages)})
                failed = True
            else:
                files.append({"file": str(path), **report.summary(), "replaces": replaces, "import": record.pk,
                              "replaced": record.replaced})
        self.stdout.write(json.dumps({"files": files}, ensure_ascii=False))
        if failed:
            raise SystemExit(1)
