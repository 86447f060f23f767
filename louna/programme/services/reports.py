"""The implementation report: drafted early the next year for each library, edited by
the coordinator, sent as a PDF."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from consortium.outbox import enqueue_mail_to_user
from consortium.models import Library, User

from .. import permissions as perms
from ..models import (
    ImplementationReport,
    Programme,
)


from ..pdf import report_pdf
from ..selectors import library_figures
from ._common import _directors_of

__all__ = (
    "reports_draft",
    "reports_due",
    "reports_programme_due",
    "report_update",
    "report_send",
)



def _report_content(programme: Programme, library: Library) -> dict:
    """What was done, what is unfinished, what moved and why, what was dropped and why:
    the items concerning the library, each with its latest follow-up note."""
    items = list(programme.items.filter(is_removed=False).select_related("area").prefetch_related("libraries",
                                                                                                   "progress"))
    groups = {"done": [], "unfinished": [], "moved": [], "dropped": []}
    for item in items:
        concerned = [lib.pk for lib in item.libraries.all()]
        if concerned and library.pk not in concerned:
            continue
        notes = [entry.note for entry in item.progress.all() if entry.note]
        line = {"title": item.title, "area": f"{item.area.number}. {item.area.title}" if item.area else "",
                "state": item.state, "percent": item.percent, "note": notes[0] if notes else ""}
        key = {"done": "done", "moved": "moved", "dropped": "dropped"}.get(item.state, "unfinished")
        groups[key].append(line)
    total = sum(len(lines) for lines in groups.values())
    return {"groups": groups, "total": total, "figures": library_figures(library=library, year=programme.year)}


def _report_summary(programme: Programme, content: dict) -> str:
    """A first sentence for the coordinator to edit, in the report's language (Finnish)."""
    groups = content["groups"]
    with translation.override(settings.LANGUAGE_CODE):
        return _("Of the %(total)d items of the action programme %(year)d, %(done)d were done, %(unfinished)d were "
                 "not finished, %(moved)d were moved to the next year and %(dropped)d were dropped.") % {
            "total": content["total"], "year": programme.year, "done": len(groups["done"]),
            "unfinished": len(groups["unfinished"]), "moved": len(groups["moved"]),
            "dropped": len(groups["dropped"])}


def reports_draft(*, programme: Programme, by: User | None = None, progress=None) -> tuple[int, int]:
    """Draft (or refresh) each Louna library's report. One report per library and year
    however often this runs; a report already sent is never touched. Returns (new, refreshed).
    Each library in its own transaction: stopped midway (a killed worker), the reports made
    so far are whole, and a second run makes the rest."""
    programme = Programme.objects.get(pk=programme.pk)
    if not programme.is_final:
        raise ValidationError(_("The programme %(year)d is not final; there is nothing to report yet.")
                              % {"year": programme.year})
    created_count = refreshed = 0
    libraries = list(perms.louna_libraries())
    if progress:
        progress.total(len(libraries))
    for done, library in enumerate(libraries, start=1):
        if progress and done > 1:
            progress.advance(done - 1)
        with transaction.atomic():
            report, created = ImplementationReport.objects.select_for_update().get_or_create(
                programme=programme, library=library)
            if report.state == ImplementationReport.State.SENT:
                continue
            report.content = _report_content(programme, library)
            if not report.summary.strip():
                report.summary = _report_summary(programme, report.content)
            report.save(update_fields=["content", "summary", "drafted_at"])
            created_count += created
            refreshed += not created
    if progress:
        progress.advance(len(libraries))
    return created_count, refreshed


def reports_programme_due(*, today: date | None = None) -> Programme | None:
    """Last year's final programme once its reports are due (from the configured day,
    LOUNA_PROGRAMME_REPORT_DATE "MM-DD", on), else None."""
    today = today or timezone.localdate()
    month, day = (int(part) for part in getattr(settings, "LOUNA_PROGRAMME_REPORT_DATE", "01-15").split("-"))
    if today < date(today.year, month, day):
        return None
    return Programme.objects.filter(year=today.year - 1, state=Programme.State.FINAL).first()


def reports_due(*, today: date | None = None, progress=None) -> int:
    """The beat job: from the configured day of the next year on, draft the reports of last
    year's final programme. Returns how many reports are new."""
    programme = reports_programme_due(today=today)
    if programme is None:
        return 0
    created, _refreshed = reports_draft(programme=programme, progress=progress)
    return created


@transaction.atomic
def report_update(*, report: ImplementationReport, summary: str, by: User) -> ImplementationReport:
    report = ImplementationReport.objects.select_for_update().get(pk=report.pk)
    if report.state == ImplementationReport.State.SENT:
        raise ValidationError(_("The report was already sent and cannot change."))
    report.summary = (summary or "").strip()
    report.save(update_fields=["summary", "drafted_at"])
    return report


def report_send(*, report: ImplementationReport, by: User) -> ImplementationReport:
    """Make the PDF, e-mail it to the library's directors and keep it on the portal."""
    with transaction.atomic():
        report = ImplementationReport.objects.select_for_update().select_related("programme", "library").get(
            pk=report.pk)
        if report.state == ImplementationReport.State.SENT:
            raise ValidationError(_("The report was already sent."))
        if not report.summary.strip():
            raise ValidationError({"summary": _("Write a short summary before sending the report.")})
        data = report_pdf(report=report)
        report.pdf.save(f"toimeenpanoraportti-{report.programme.year}-{report.library_id}.pdf", ContentFile(data),
                        save=False)
        directors = _directors_of([report.library_id])
        for assignment in directors:
            enqueue_mail_to_user(  # sent after commit: no SMTP while the report is locked
                user=assignment.user, key=f"louna.programme.report:{report.pk}:{assignment.user_id}",
                kind="louna.programme.report", template="louna/programme/mail/report", about=report,
                context={"report": report, "programme": report.programme, "library": report.library,
                         "url": settings.SITE_URL + reverse("louna:programme_report", args=[report.pk])},
                attachments=[(report.pdf.name.rsplit("/", 1)[-1], data, "application/pdf")],
            )
        report.state, report.sent_at, report.sent_by = ImplementationReport.State.SENT, timezone.now(), by
        report.emailed_to = ", ".join(a.user.email for a in directors)
        report.save()
        return report

