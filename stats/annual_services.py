"""Writes of the annual reports: the annual job's new versions, and a version's delivery to
the ministry. Each runs in one transaction; the caller checks who may do it.

- A run of the job adds one version per municipality (1, 2, ...) with what changed from the
  version before, and tells the municipality's directors through the mail outbox (one
  message per version and person, by its key).
- The same job run delivered twice (Celery's acks_late after a lost worker, a re-sent
  task) makes nothing more: the versions it made are found by the run's id.
- A delivered version is never changed, and a municipality whose report is delivered gets
  no newer version from the job (its figures stay as the ministry got them). PostgreSQL
  refuses any change to a version's figures in a trigger as well (migration 0007).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Role, RoleAssignment
from consortium.outbox import enqueue_mail_to_user

from . import annual_selectors, selectors, series
from .metrics import source_metrics_ensure
from .models import AnnualReport, MunicipalityLock, StatisticsYear
from .permissions import statistics_libraries
from .services import statistics_year_open

__all__ = ("annual_reports_create", "annual_report_deliver", "annual_reports_deliver_latest", "municipality_lock")

MAIL_KIND = "stats.annual_report"
# How many sources lacking months the job's run message names (a national year may have
# hundreds of points; the overview lists every one).
MONTHS_NAMED = 20


def _locked_year(year: int) -> StatisticsYear:
    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    if statistics_year.is_locked:
        raise ValidationError(_("The statistics of %(year)d have been reported and are locked.") % {"year": year})
    return statistics_year


def _summary(year: int, reports, skipped=(), locked=()) -> dict:
    return {"year": year, "versions": sorted((report.municipality_id, report.version) for report in reports),
            "delivered_skipped": sorted(skipped), "locked_skipped": sorted(locked)}


@transaction.atomic
def annual_reports_create(*, year: int, job_run_id: int | None = None, by=None, notify: bool = True,
                          progress=None, municipality_ids=None) -> dict:
    """Store a new version of every municipality's report for the year (every member's and
    any other with figures; or those of `municipality_ids`) from the figures in force and
    the figure sources, with the changes from its previous version, and queue the mail to
    its directors. Returns {"year", "versions": [(municipality id, version)],
    "delivered_skipped": [municipality id], "counter_unclaimed": [[platform, uses]] (COUNTER
    uses that reach no municipality: their platform is no e-material service's),
    "months_missing": [a sentence per service point or source lacking months]}."""
    statistics_year = _locked_year(year)
    if job_run_id is not None:
        made = list(AnnualReport.objects.filter(job_run_id=job_run_id))
        if made:  # this run has done its work already
            return _summary(year, made)
    source_metrics_ensure()
    inputs = annual_selectors.report_inputs(statistics_year=statistics_year, municipality_ids=municipality_ids)
    if inputs.split_errors:
        # A shared figure that cannot be split by its key would leave every municipality's
        # report without it (or with parts that do not add up): nothing is made until the
        # key's input is there or another key is chosen.
        raise ValidationError(inputs.split_errors)
    # All versions so far (one query): the newest per municipality, and whether any is delivered.
    latest, delivered = {}, set()
    for report in AnnualReport.objects.filter(statistics_year=statistics_year).order_by("version"):
        latest[report.municipality_id] = report
        if report.delivered:
            delivered.add(report.municipality_id)
    # A municipality whose figures are locked (MunicipalityLock) keeps the version it was
    # locked at: the job computes the others and says which it left.
    locked = selectors.locked_municipalities(year=year)
    now = timezone.now()
    new, skipped, locked_skipped = [], [], []
    if progress:
        progress.total(len(inputs.municipalities))
    for municipality in inputs.municipalities:
        if municipality.pk in locked:
            locked_skipped.append(municipality)
            continue
        if municipality.pk in delivered:
            skipped.append(municipality.pk)
            continue
        previous = latest.get(municipality.pk)
        figures = inputs.figures[municipality.pk]
        details = {**inputs.details[municipality.pk], "metrics": inputs.metrics, "sources": inputs.sources,
                   "previous_version": previous.version if previous else None}
        new.append(AnnualReport(
            statistics_year=statistics_year, municipality=municipality,
            version=previous.version + 1 if previous else 1, figures=figures, details=details,
            changes=annual_selectors.figures_diff(previous.figures if previous else {}, figures) if previous else [],
            job_run_id=job_run_id, created_by=by, created_at=now))
    reports = AnnualReport.objects.bulk_create(new)
    if notify:
        _tell_directors(reports, statistics_year=statistics_year)
    months_missing = inputs.months_missing()
    if progress:
        message = _("%(year)d: %(count)d report versions made, %(missing)d service points without figures.") % {
            "year": year, "count": len(reports), "missing": inputs.missing_points}
        if months_missing:
            # Named where the coordinator reads the run: a point or source lacking months of a
            # monthly export has figures, so the count above does not show it.
            message += " " + " ".join(months_missing[:MONTHS_NAMED])
            if len(months_missing) > MONTHS_NAMED:
                message += " " + _("And %(count)d more lacking months (the year's overview lists them).") % {
                    "count": len(months_missing) - MONTHS_NAMED}
        if locked_skipped:
            message += " " + _("No new version for the municipalities whose figures are locked: %(names)s.") % {
                "names": ", ".join(municipality.name for municipality in locked_skipped)}
        if inputs.counter_unclaimed:
            # Said where the coordinator reads the run: these uses are in nobody's figures.
            message += " " + _("COUNTER uses of platforms no e-material service claims, not in the figures: "
                               "%(platforms)s.") % {"platforms": _platforms_text(inputs.counter_unclaimed)}
        if inputs.counter_uncounted:
            message += " " + _("COUNTER uses only in reports that are not counted (%(reports)s), not in the "
                               "figures: %(platforms)s.") % {
                "reports": ", ".join(sorted({r for _p, reports, _u in inputs.counter_uncounted for r in reports})),
                "platforms": _platforms_text([(p, u) for p, _r, u in inputs.counter_uncounted])}
        progress.advance(len(inputs.municipalities), message=message)
    summary = _summary(year, reports, skipped, [municipality.pk for municipality in locked_skipped])
    summary["counter_unclaimed"] = [[platform, uses] for platform, uses in inputs.counter_unclaimed]
    summary["months_missing"] = months_missing
    return summary


def _platforms_text(unclaimed) -> str:
    return ", ".join(f"{platform} ({uses})" for platform, uses in unclaimed)


def _tell_directors(reports: list[AnnualReport], *, statistics_year: StatisticsYear) -> None:
    """One message per version and director (of the municipality's member or Louna library:
    those who may open the page). The key names the version, so a retried job queues nothing
    twice."""
    by_municipality = {report.municipality_id: report for report in reports}
    directors = (RoleAssignment.objects.filter(
        role=Role.DIRECTOR, library__in=statistics_libraries(), library__municipality_id__in=list(by_municipality),
        user__is_active=True).exclude(user__email="")
        .select_related("user", "library").order_by("user_id").distinct())
    site = settings.SITE_URL.rstrip("/")
    for assignment in directors:
        report = by_municipality[assignment.library.municipality_id]
        url = site + reverse("stats:annual_municipality", args=[statistics_year.year, report.municipality_id])
        # The mail is in the director's language: the municipalities' names too. A joint
        # library organisation's report covers every municipality it serves (host first),
        # and its directors are told so.
        language = (getattr(assignment.user, "language", None) or settings.LANGUAGE_CODE)[:2]
        municipality = (language == "sv" and report.municipality.name_sv) or report.municipality.name_fi
        enqueue_mail_to_user(
            user=assignment.user, key=f"{MAIL_KIND}:{report.pk}:{assignment.user_id}", kind=MAIL_KIND,
            template="stats/mail/annual_report", about=report,
            context={"year": statistics_year.year, "municipality": municipality,
                     "covers": ", ".join(annual_selectors.covered_names(report, language)),
                     "version": report.version, "changes": len(report.changes), "url": url})


@transaction.atomic
def annual_report_deliver(*, report: AnnualReport, by) -> AnnualReport:
    """Mark the municipality's newest version as delivered to the ministry: from now on it
    never changes and the job makes no newer version for the municipality this year."""
    report = AnnualReport.objects.select_for_update().select_related("statistics_year").get(pk=report.pk)
    if report.delivered:
        raise ValidationError(_("Version %(version)d was delivered on %(date)s already; a delivered report is "
                                "never changed.") % {"version": report.version,
                                                     "date": timezone.localtime(report.delivered_at)
                                                     .strftime("%d.%m.%Y")})
    newest = (AnnualReport.objects.filter(statistics_year=report.statistics_year, municipality=report.municipality)
              .order_by("-version").values_list("version", flat=True).first())
    if newest != report.version:
        raise ValidationError(_("Only the newest version (%(version)d) can be delivered.") % {"version": newest})
    report.delivered, report.delivered_at, report.delivered_by = True, timezone.now(), by
    report.save(update_fields=["delivered", "delivered_at", "delivered_by"])
    return report


@transaction.atomic
def annual_reports_deliver_latest(*, year: int, by) -> int:
    """Deliver every municipality's newest version of the year that is not delivered yet
    (the year is being reported to the ministry); returns how many."""
    count = 0
    for report in annual_selectors.latest_versions(year=year).values():
        if not report.delivered:
            annual_report_deliver(report=report, by=by)
            count += 1
    return count


@transaction.atomic
def municipality_lock(*, year: int, municipality, by, municipality_ids) -> MunicipalityLock:
    """Lock one municipality's figures for the year as reported to the ministry, before the
    year as a whole is (that is the whole country's, services.year_mark_reported): its
    newest report version is marked delivered, and from now on no import adds, changes or
    replaces its figures, none holding them is reverted and the job makes it no new version.
    Like the year lock it has no undo. `municipality_ids`: those the person manages (the
    coordinator: Louna's); the newest version must still be what the figures in force give,
    so what is locked is what the ministry gets."""
    statistics_year = _locked_year(year)  # the year row locked: an import waits for this, or this for it
    if municipality.pk not in set(municipality_ids):
        raise ValidationError(_("You do not manage the statistics of %(municipality)s.")
                              % {"municipality": municipality.name})
    hosts = series.host_ids(series.joint_series())
    if municipality.pk in hosts:
        host = series.joint_series()[hosts[municipality.pk]].host
        raise ValidationError(_("The figures of %(municipality)s are reported in those of %(host)s (a joint library "
                                "organisation): lock %(host)s.") % {"municipality": municipality.name,
                                                                    "host": host.name})
    if MunicipalityLock.objects.filter(statistics_year=statistics_year, municipality=municipality).exists():
        raise ValidationError(_("The figures of %(municipality)s for %(year)d are locked already.")
                              % {"municipality": municipality.name, "year": year})
    latest = (AnnualReport.objects.select_for_update().filter(statistics_year=statistics_year,
                                                              municipality=municipality)
              .order_by("-version").first())
    if latest is None:
        raise ValidationError(_("%(municipality)s has no annual report for %(year)d yet: run the annual job first.")
                              % {"municipality": municipality.name, "year": year})
    inputs = annual_selectors.report_inputs(statistics_year=statistics_year, municipality_ids=[municipality.pk])
    changes = annual_selectors.figures_diff(latest.figures, inputs.figures.get(municipality.pk, {}))
    if changes and latest.delivered:
        # The job makes no newer version of a delivered report: what changed since has to go.
        raise ValidationError(_("The figures of %(municipality)s have changed since version %(version)d was "
                                "delivered (%(count)d figures): revert the imports made since, then lock.")
                              % {"municipality": municipality.name, "version": latest.version,
                                 "count": len(changes)})
    if changes:
        raise ValidationError(_("The figures of %(municipality)s have changed since version %(version)d was "
                                "computed (%(count)d figures): run the annual job, then lock the new version.")
                              % {"municipality": municipality.name, "version": latest.version,
                                 "count": len(changes)})
    if not latest.delivered:
        latest = annual_report_deliver(report=latest, by=by)
    return MunicipalityLock.objects.create(statistics_year=statistics_year, municipality=municipality,
                                           report=latest, locked_at=timezone.now(), locked_by=by)
