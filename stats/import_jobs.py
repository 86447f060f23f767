"""Large statistics files as background jobs: a file with more data rows than
settings.STATS_IMPORT_JOB_ROWS is checked by a Celery task, the page shows a progress bar
and then the preview the task left on the draft; the confirm queues a second task that
saves the draft whole, in one transaction, under the same rules as a small file.

Both tasks go through consortium.jobs (a JobRun with progress), so a broker that is down
loses nothing: the run waits in the database and the hand-over sweep sends it later. Both
are idempotent: a check acts only on a draft still being checked, a save only on a draft
being saved and not yet saved; the draft row is locked for the save, so a task delivered
twice (acks_late after a worker died) never imports the file twice.

A COUNTER report (kind `counter`) goes the same way: the check is
services.counter_import_preview (every refusal, the totals, what it replaces), kept on the
draft as the small-file page shows it, and the save services.counter_import_save; the
report and release the person stated for a file without its header block stay on the
draft (`result`) from the upload to the save."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from consortium.jobs import job_run_queue

from . import services
from .counter import error_lines
from .models import DraftState, Metric, PendingImport, StatsImport

__all__ = ("data_rows", "needs_job", "import_job_start", "import_job_check", "import_job_confirm",
           "import_job_save", "preview_result", "PREVIEW_ROWS")

# The preview page shows this many rows of a large file (every refused row is listed).
PREVIEW_ROWS = 100
PREVIEW_CHANGES = 500


def data_rows(data: bytes, kind: str | None = None) -> int:
    """About how many data rows the file has, cheaply: lines of a text file, the first sheet's
    rows of a workbook, the report items of a COUNTER JSON report (often one long line).
    Only decides where the file is read, so an estimate will do."""
    if kind == StatsImport.Kind.COUNTER and data[:64].lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
        return data.count(b'"Platform"')
    if data[:4] == b"PK\x03\x04":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(data), read_only=True)
            rows = workbook.worksheets[0].max_row or 0
            workbook.close()
            return max(rows - 1, 0)
        except Exception:  # a damaged workbook: the check itself names the problem
            return 0
    return data.count(b"\n")


def needs_job(data: bytes, kind: str | None = None) -> bool:
    return data_rows(data, kind) > settings.STATS_IMPORT_JOB_ROWS


def _job_progress(progress):
    """A services-level callback (done, total) writing to the JobRun, or None."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        if progress.run.progress_total != total:
            progress.total(total)
        progress.advance(done)

    return report


@transaction.atomic
def import_job_start(*, year: int, kind: str, data: bytes, file_name: str, by, service=None,
                     stated: dict | None = None) -> PendingImport:
    """Keep the upload as the person's one draft for the year and queue its check. The
    person's earlier drafts go first (their confirm buttons are stale now). `stated`: what
    the person said of the file (a COUNTER report's report_id and release), kept with it."""
    from . import tasks

    statistics_year = services.statistics_year_open(year=year)
    PendingImport.objects.filter(statistics_year=statistics_year, created_by=by).delete()
    draft = PendingImport(statistics_year=statistics_year, kind=kind, file_name=file_name[:255],
                          sha256=services.file_hash(data), data=data, created_by=by, state=DraftState.CHECKING,
                          service=service, result=dict(stated or {}))
    draft.full_clean(exclude=["data"])
    draft.save()
    draft.job_run = job_run_queue(task=tasks.check_import, created_by=by, kwargs={"draft_id": draft.pk},
                                  label=_("Checking %(name)s") % {"name": draft.file_name})
    draft.save(update_fields=["job_run"])
    return draft


def import_job_check(*, draft_id: int, progress=None) -> str | None:
    """The check task's body: parse the draft's file and leave the preview (or every refused
    row) on it. A draft dropped meanwhile (another file chosen) or already past the check
    is left alone. Returns the draft's new state."""
    draft = PendingImport.objects.filter(pk=draft_id, state=DraftState.CHECKING).select_related(
        "statistics_year", "created_by", "service").first()
    if draft is None:
        return None
    # The preview's messages in the uploader's language: the page shows them as they are.
    with translation.override(draft.created_by.language or settings.LANGUAGE_CODE):
        if draft.kind == StatsImport.Kind.COUNTER:
            result = _counter_check(draft, progress=_job_progress(progress))
            valid = not result["errors"]
        else:
            parsed = services.import_prepare(year=draft.statistics_year.year, kind=draft.kind,
                                             data=bytes(draft.data), service=draft.service,
                                             progress=_job_progress(progress), by=draft.created_by)
            result = preview_result(parsed)
            valid = parsed.is_valid
    state = DraftState.READY if valid else DraftState.REFUSED
    # Conditional: a confirm or a new upload since then wins over this (late) check.
    PendingImport.objects.filter(pk=draft_id, state=DraftState.CHECKING).update(
        state=state, result=result)
    return state


@transaction.atomic
def import_job_confirm(*, year: int, draft_id: int, sha256: str, by) -> PendingImport:
    """Queue the save of the draft the person previewed (id and hash must match)."""
    from . import tasks

    draft = (PendingImport.objects.select_for_update()
             .filter(pk=draft_id, sha256=sha256, created_by=by, statistics_year__year=year).first())
    if draft is None or draft.state not in (DraftState.READY, DraftState.SAVING):
        raise ValidationError(_("The previewed file is no longer waiting for confirmation (another file was "
                                "chosen since); choose the file again."))
    if draft.state == DraftState.READY:  # a second click while saving queues nothing more
        draft.state = DraftState.SAVING
        draft.job_run = job_run_queue(task=tasks.save_import, created_by=by, kwargs={"draft_id": draft.pk},
                                      label=_("Importing %(name)s") % {"name": draft.file_name})
        draft.save(update_fields=["state", "job_run"])
    return draft


def import_job_save(*, draft_id: int, progress=None) -> int | None:
    """The save task's body (see _import_job_save), in the uploader's language."""
    language = PendingImport.objects.filter(pk=draft_id).values_list("created_by__language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        return _import_job_save(draft_id=draft_id, progress=progress)


def _counter_stated(result: dict) -> dict:
    """The report and release the person stated for a COUNTER file (None: the header says)."""
    return {"report_id": result.get("report_id") or None, "release": result.get("release") or None}


def _counter_check(draft: PendingImport, *, progress=None) -> dict:
    """A COUNTER draft's check, as the small-file page shows it: every refusal as a sentence
    naming the file and the row (the column in the sentence), or the report's totals and
    what it replaces. What the person stated stays with it for the save."""
    report, replaces = services.counter_import_preview(data=bytes(draft.data), file_name=draft.file_name,
                                                       progress=progress, **_counter_stated(draft.result))
    result = {**_counter_stated(draft.result), "errors": error_lines(report, draft.file_name),
              "row_count": len(report.rows)}
    if not report.errors:
        result.update(summary=report.summary(), replaces=replaces)
    return result


def _import_job_save(*, draft_id: int, progress=None) -> int | None:
    """The save task's body: import the draft whole in one transaction (services.import_save,
    or services.counter_import_save for a COUNTER report: the same rules as a small file)
    and tie the import to the draft in that transaction, so a second delivery of the task
    finds it saved and does nothing. A file refused now (the same file imported meanwhile,
    the year locked) leaves its reasons on the draft."""
    kept = PendingImport.objects.filter(pk=draft_id).values("kind", "file_name", "result").first()
    try:
        with transaction.atomic():
            draft = (PendingImport.objects.select_for_update().filter(pk=draft_id)
                     .select_related("statistics_year", "created_by").first())
            if draft is None or draft.stats_import_id or draft.state != DraftState.SAVING:
                return draft.stats_import_id if draft else None
            if draft.kind == StatsImport.Kind.COUNTER:
                # Saved under the year its period begins in, as a small file is.
                record = services.counter_import_save(data=bytes(draft.data), file_name=draft.file_name,
                                                      by=draft.created_by, progress=_job_progress(progress),
                                                      **_counter_stated(draft.result))
            else:
                record = services.import_save(year=draft.statistics_year.year, kind=draft.kind,
                                              data=bytes(draft.data), file_name=draft.file_name,
                                              by=draft.created_by, service=draft.service,
                                              progress=_job_progress(progress))
            # The bytes are no longer needed: the import keeps their hash.
            PendingImport.objects.filter(pk=draft_id).update(state=DraftState.SAVED, stats_import=record, data=b"")
            return record.pk
    except services.ImportRefused as refused:
        PendingImport.objects.filter(pk=draft_id, state=DraftState.SAVING).update(
            state=DraftState.REFUSED, result=preview_result(refused.parsed))
    except ValidationError as error:
        if kept and kept["kind"] == StatsImport.Kind.COUNTER:
            # Shown as the check's refusals are: sentences naming the file (and the row).
            name = kept["file_name"]
            result = {**_counter_stated(kept["result"]), "errors": [
                message if message.startswith(name) else _("%(file)s: %(message)s") % {"file": name, "message": message}
                for message in error.messages]}
        else:
            result = {"errors": [[0, "", message] for message in error.messages]}
        PendingImport.objects.filter(pk=draft_id, state=DraftState.SAVING).update(
            state=DraftState.REFUSED, result=result)
    return None


# ---------------------------------------------------------------- the preview as data


def preview_table(parsed) -> tuple[list[str], list[list]]:
    """The preview's column headings and rows (plain values) for any kind of file."""
    if parsed.kind == StatsImport.Kind.SERVICE_POINTS:
        codes = list(dict.fromkeys(code for row in parsed.rows for code in row.values))
        labels = {metric.code: metric.name for metric in Metric.objects.filter(code__in=codes)}
        monthly = any(row.month for row in parsed.rows)
        columns = [_("Row"), _("Service point"), _("Municipality"), *([_("Month")] if monthly else []),
                   *[labels.get(code, code) for code in codes]]
        rows = [[row.row, row.service_point.name, row.service_point.library.municipality.name,
                 *([row.month or _("whole year")] if monthly else []), *[row.values.get(code) for code in codes]]
                for row in parsed.rows]
        return columns, rows
    if parsed.kind == StatsImport.Kind.SHARED:
        columns = [_("Row"), _("Figure"), _("Total"), _("Split method"), _("Parts per municipality")]
        rows = [[row.row, str(row.metric_label), row.total, str(row.method_label),
                 ", ".join(f"{name} {value}" for name, value in row.part_list)] for row in parsed.rows]
        return columns, rows
    # The service files (web visits, e-material vendors) describe their own rows.
    return parsed.preview_columns(), [row.cells() for row in parsed.rows]


def preview_result(parsed, *, limit: int = PREVIEW_ROWS) -> dict:
    """What the preview page needs, as JSON for the draft: every refused row, the first rows,
    the figures that would change."""
    result = {"errors": [[error.row, str(error.column), str(error.message)] for error in parsed.errors],
              "encoding": parsed.encoding, "row_count": len(parsed.rows)}
    if parsed.is_valid:
        columns, rows = preview_table(parsed)
        result.update(columns=[str(column) for column in columns], rows=rows[:limit],
                      changes=[{key: (str(value) if key in ("where", "metric") else value)
                                for key, value in change.items()} for change in parsed.changes[:PREVIEW_CHANGES]],
                      changes_count=len(parsed.changes), splits=_splits(parsed))
    return result


def _splits(parsed) -> list[dict]:
    """A web site's year total split among the municipalities, as the preview shows it."""
    splits = getattr(parsed, "splits", None) or []
    if not splits:
        return []
    from django.utils.formats import number_format

    from consortium.models import Municipality

    names = dict(Municipality.objects.filter(pk__in={pk for _m, _t, allocation, _y in splits
                                                     for pk in allocation.parts}).values_list("pk", "name_fi"))
    return [{"metric": str(metric.name), "total": total, "population_year": population_year,
             # Grouped in the reader's language, as the page's number filter groups the total beside it.
             "parts": ", ".join(f"{names.get(pk, pk)} {number_format(part, use_l10n=True, force_grouping=True)}"
                                for pk, part in sorted(
                 allocation.parts.items(), key=lambda item: str(names.get(item[0], item[0]))))}
            for metric, total, allocation, population_year in splits]
