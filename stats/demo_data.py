"""Demo statistics: figures for every member library's service point (Louna's and the
rest of the country's) for 2023 and 2024, marked as demo (they are invented, not the
libraries' real figures), Louna's shared services split by population, the totals computed
and every member municipality's annual report made (so Tampere's demo director sees
Tampere's). Idempotent: existing figures are left as they are. With --scale N, 20·N more
(generated) Louna service points get figures too, for the query-count tests and benchmarks."""

import hashlib

from django.db import transaction

from consortium.models import Library, ServicePoint
from consortium.permissions import LOUNA_AREA

from . import services
from .allocation import Key, allocate
from .models import Figure, SharedMetric, SharedServiceTotal, SplitMethod
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
        if not statistics_year.reports.exists():
            # The annual job's report versions, the earlier year delivered (so the national
            # table has figures); no mail: the demo directors are not told of demo figures.
            from .annual_services import annual_reports_create, annual_reports_deliver_latest

            annual_reports_create(year=year, notify=False)
            if year == DEMO_YEARS[0]:
                annual_reports_deliver_latest(year=year, by=None)
    if stdout:
        stdout.write(f"  statistics: {len(points)} service points × {len(DEMO_YEARS)} years (demo figures)")
