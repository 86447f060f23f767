"""Check COUNTER R5/R5.1 reports. With --dry-run nothing is saved; the last line is one JSON
object: {"files": [{"file", "release", "report_id", "rows", "begin", "end", "metric_totals"}
or {"file", "error"}]}."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from stats import services
from stats.counter import parse_counter


class Command(BaseCommand):
    help = "Read COUNTER Release 5 / 5.1 reports (TSV, CSV, .xlsx or JSON); --dry-run checks and saves nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--report-id", help="for a tabular file without its header block")
        parser.add_argument("--release", choices=["5", "5.1"], help="for a tabular file without its header block")

    def handle(self, *args, paths, dry_run, report_id, release, **options):
        files = []
        for path in paths:
            try:
                report = parse_counter(path.read_bytes(), report_id=report_id, release=release)
            except OSError as error:
                files.append({"file": str(path), "error": str(error)})
                continue
            if report.errors:
                for row, message in report.errors:
                    self.stdout.write(f"{path}: row {row or '-'}: {message}")
                files.append({"file": str(path), "error": "; ".join(m for _r, m in report.errors[:20])})
            elif dry_run:
                files.append({"file": str(path), **report.summary()})
            else:
                try:
                    record = services.counter_import_save(data=path.read_bytes(), file_name=path.name, by=None,
                                                          report_id=report_id, release=release)
                except ValidationError as error:
                    files.append({"file": str(path), "error": " ".join(error.messages)})
                else:
                    files.append({"file": str(path), **report.summary(), "import": record.pk})
        self.stdout.write(json.dumps({"files": files}, ensure_ascii=False))
