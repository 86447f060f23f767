"""Import statistics files from the command line under the same rules as the page: every
file checked whole, every refused row named, nothing saved from a file with an error.
With --dry-run nothing is saved at all (the preview). The last line is one JSON object:
{"files": [{"file", "rows", "changes"} or {"file", "errors": [[row, column, message], ...]}]}."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from stats import services
from stats.models import StatsImport


class Command(BaseCommand):
    help = "Import statistics files (CSV from Finnish Excel or .xlsx) for a year; --dry-run checks only."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--kind", choices=[StatsImport.Kind.SERVICE_POINTS, StatsImport.Kind.SHARED,
                                               StatsImport.Kind.WEB_VISITS, StatsImport.Kind.EMATERIAL],
                            default=StatsImport.Kind.SERVICE_POINTS)
        parser.add_argument("--service", help="web_visits: the code of the site a one-site Matomo export is for")
        parser.add_argument("--by", help="the importing person's e-mail (recorded with the import)")
        parser.add_argument("--dry-run", action="store_true", help="check and preview; save nothing")

    def handle(self, *args, paths, year, kind, by, dry_run, service=None, **options):
        if service:
            from stats.models import Service

            code, service = service, Service.objects.filter(code=service).first()
            if service is None:
                raise CommandError(f"No web or e-material service with the code {code}.")
        user = None
        if by:
            user = get_user_model().objects.filter(email__iexact=by).first()
            if user is None:
                raise CommandError(f"No user with the e-mail {by}.")
        results, failed = [], False
        with translation.override("fi"):
            for path in paths:
                try:
                    data = path.read_bytes()
                except OSError as error:
                    results.append({"file": str(path), "errors": [[0, "", str(error)]]})
                    failed = True
                    continue
                if dry_run:
                    parsed = services.import_prepare(year=year, kind=kind, data=data, service=service, by=user)
                else:
                    try:
                        record = services.import_save(year=year, kind=kind, data=data, file_name=path.name, by=user,
                                                      service=service)
                    except services.ImportRefused as refused:
                        parsed = refused.parsed
                    except ValidationError as error:
                        results.append({"file": str(path), "errors": [[0, "", " ".join(error.messages)]]})
                        failed = True
                        continue
                    else:
                        results.append({"file": str(path), "rows": record.rows, "replaced": record.replaced,
                                        "import": record.pk})
                        self.stdout.write(f"{path}: {record.rows} rows imported, {record.replaced} figures replaced")
                        continue
                if parsed.is_valid:
                    results.append({"file": str(path), "rows": len(parsed.rows), "changes": len(parsed.changes)})
                    self.stdout.write(f"{path}: {len(parsed.rows)} rows would be imported, "
                                      f"{len(parsed.changes)} figures would change")
                else:
                    failed = True
                    errors = [[error.row, error.column, error.message] for error in parsed.errors]
                    results.append({"file": str(path), "errors": errors})
                    for row, column, message in errors:
                        self.stdout.write(f"{path}: row {row or '-'} {column}: {message}")
        self.stdout.write(json.dumps({"files": results}, ensure_ascii=False))
        if failed:
            raise SystemExit(1)
