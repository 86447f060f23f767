"""Demo statistics: figures for every member library's service point (Louna's and the
rest of the country's) for 2023 and 2024, marked as demo (they are invented, not the
libraries' real figures), Louna's shared services split by population, the totals computed
and every member municipality's annual report made (so Tampere's demo director sees
Tampere's). Idempotent: existing figures are left as they are. With --scale N, 20·N more
(generated) Louna service points get figures too, for the query-count tests and benchmarks."""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import JobRun, Library, ServicePoint
from consortium.permissions import LOUNA_AREA

from . import services
from .allocation import Key, allocate
from .models import CounterPlatform, Figure, Service, SharedMetric, SharedServiceTotal, SplitMethod, StatsImport
from .permissions import louna_municipality_ids, statistics_libraries

DEMO_YEARS = (2023, 2024)
# Invented totals of the shared services (demo), per year.
DEMO_SHARED = {
    SharedMetric.FINNA_VISITS: 410_000,
    SharedMetric.LOUNAKIRJAILIJAT_VISITS: 9_800,
    SharedMetric.EMATERIAL_COUNT: 14_500,
    SharedMetric.EMATERIAL_USES: 25_300,
    SharedMetric.EMATERIAL_ACQUISITIONS: 1_150,
}
GENERATED_PREFIX = "Demo-toimipiste"
# Shared e-material services with the platform their COUNTER reports name, the report the
# demo imports for them and its invented monthly Total_Item_Requests: Ellibs gives a
# platform report, BookBites (e-books only) the books' view. The annual job splits their
# uses among the Louna municipalities (stats/counteruses.py). In the delivered demo year, so
# the national table shows them too; the open year 2024 keeps the hand-typed figure of the
# shared-services file (and its pages the query counts pinned for it).
DEMO_EMATERIALS = [
    ("ellibs", "Ellibs", "Ellibs", "PR", 1_480),
    ("bookbites", "BookBites", "BookBites", "TR_B1", 690),
]
DEMO_COUNTER_YEAR = 2023


def _wobble(*parts) -> float:
    """A stable factor in 0.85–1.15 from the names: the same every run."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return 0.85 + (digest[0] / 255) * 0.30


def _figures_for(point: ServicePoint, year: int) -> dict:
    size = {ServicePoint.Kind.MAIN: 1.0, ServicePoint.Kind.BRANCH: 0.35, ServicePoint.Kind.MOBILE: 0.3}.get(
        point.kind, 0.1)
    if point.library.municipality.code == "061" and point.kind == ServicePoint.Kind.MAIN:
        size = 4.0  # Forssa's main library serves the region's largest town
    loans = int(52_000 * size * _wobble(point.name, year, "loans"))
    return {
        "loans": loans,
        "collection": int(30_000 * size * _wobble(point.name, year, "collection")),
        "acquisitions": int(1_500 * size * _wobble(point.name, year, "acquisitions")),
        "removals": int(1_700 * size * _wobble(point.name, year, "removals")),
        "active_customers": int(loans / 40),
    }


def _counter_report(report_id: str, platform: str, monthly: int, year: int) -> bytes:
    """A small COUNTER R5 report (tab-separated, with its header block) of the year's twelve
    months, the uses varying from month to month."""
    months = [f"{name}-{year}" for name in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                             "Nov", "Dec")]
    counts = [int(monthly * _wobble(platform, year, month)) for month in months]
    header = [("Report_Name", report_id), ("Report_ID", report_id), ("Release", "5"),
              ("Institution_Name", "Louna-kirjastot (demo)"), ("Institution_ID", "Proprietary:louna-demo"),
              ("Metric_Types", "Total_Item_Requests"), ("Report_Filters", ""), ("Report_Attributes", ""),
              ("Exceptions", ""), ("Reporting_Period", f"Begin_Date={year}-01-01; End_Date={year}-12-31"),
              ("Created", f"{year + 1}-01-05T10:00:00Z"), ("Created_By", f"{platform} (demo)")]
    if report_id == "PR":
        columns, item = ["Platform", "Data_Type", "Access_Method"], [platform, "Book", "Regular"]
    else:
        columns, item = ["Title", "Publisher", "Platform"], ["Demokirjat yhteensä", "Demo", platform]
    lines = [f"{key}\t{value}" for key, value in header] + [""]
    lines.append("\t".join(columns + ["Metric_Type", "Reporting_Period_Total"] + months))
    lines.append("\t".join(item + ["Total_Item_Requests", str(sum(counts))] + [str(count) for count in counts]))
    return "\r\n".join(lines).encode()


def _seed_ematerials() -> None:
    """The demo e-material services, their COUNTER platforms and a year of their uses."""
    for code, name, platform, report_id, monthly in DEMO_EMATERIALS:
        service, _created = Service.objects.get_or_create(code=code, defaults={
            "name": name, "kind": Service.Kind.EMATERIAL})
        if not CounterPlatform.objects.filter(name__iexact=platform).exists():
            CounterPlatform.objects.create(service=service, name=platform)
        file_name = f"{code}-{report_id}-{DEMO_COUNTER_YEAR}.tsv (demo)"
        if not StatsImport.objects.filter(kind=StatsImport.Kind.COUNTER, file_name=file_name).exists():
            services.counter_import_save(data=_counter_report(report_id, platform, monthly, DEMO_COUNTER_YEAR),
                                         file_name=file_name, by=None)


def _generate_points(scale: int) -> None:
    libraries = list(Library.objects.in_area(LOUNA_AREA).order_by("municipality__code"))
    if not libraries:
        return
    wanted = 20 * scale
    have = set(ServicePoint.objects.filter(name__startswith=GENERATED_PREFIX).values_list("name", flat=True))
    new = []
    for index in range(wanted):
        library = libraries[index % len(libraries)]
        name = f"{GENERATED_PREFIX} {index + 1} ({library.municipality.name_fi})"
        if name not in have:
            new.append(ServicePoint(library=library, name=name, kind=ServicePoint.Kind.BRANCH))
    ServicePoint.objects.bulk_create(new)


@transaction.atomic
def seed_stats(*, scale: int = 0, stdout=None) -> None:
    if scale:
        _generate_points(scale)
    points = list(ServicePoint.objects.filter(library__in=statistics_libraries())
                  .select_related("library__municipality"))
    municipality_ids = sorted(louna_municipality_ids())
    if not municipality_ids:
        return
    for year in DEMO_YEARS:
        statistics_year = services.statistics_year_open(year=year, is_demo=True)
        if statistics_year.is_locked:
            continue
        have = set(Figure.objects.filter(statistics_year=statistics_year, service_point__isnull=False)
                   .values_list("service_point_id", flat=True))
        figures = {(point.pk, point.library.municipality_id, code): value
                   for point in points if point.pk not in have for code, value in _figures_for(point, year).items()}
        population_year, weights = services.population_shares(year=year, municipality_ids=municipality_ids)
        for metric, total in DEMO_SHARED.items():
            total = int(total * (1.04 if year == 2024 else 1.0))
            if SharedServiceTotal.objects.filter(statistics_year=statistics_year, metric=metric).exists():
                continue
            allocation = allocate(total=total, key=Key.POPULATION, members=municipality_ids, weights=weights)
            SharedServiceTotal.objects.create(
                statistics_year=statistics_year, metric=metric, total=total, split_method=SplitMethod.POPULATION,
                population_year=population_year, key_inputs={str(k): v for k, v in allocation.inputs.items()},
                is_demo=True)
            figures.update({(None, pk, str(metric)): value for pk, value in allocation.parts.items()})
        services.figures_save(statistics_year=statistics_year, figures=figures, is_demo=True)
        services.year_compute(year=year)
        if year == DEMO_COUNTER_YEAR and not statistics_year.reports.exists():
            _seed_ematerials()
        if not statistics_year.reports.exists():
            # The annual job's report versions, the earlier year delivered (so the national
            # table has figures); no mail: the demo directors are not told of demo figures.
            from .annual_services import annual_reports_create, annual_reports_deliver_latest
            from .tasks import COMPUTE_TASK

            # Made as the annual job makes them, so the overview lists the run beside them
            # (without it the page said the job had not run while the versions were there).
            now = timezone.now()
            run = JobRun.objects.create(task_name=COMPUTE_TASK, label=_("Statistics %(year)d") % {"year": year},
                                        state=JobRun.State.DONE, started_at=now, finished_at=now,
                                        task_kwargs={"year": year})
            annual_reports_create(year=year, notify=False, job_run_id=run.pk)
            if year == DEMO_YEARS[0]:
                annual_reports_deliver_latest(year=year, by=None)
    if stdout:
        stdout.write(f"  statistics: {len(points)} service points × {len(DEMO_YEARS)} years (demo figures)")
