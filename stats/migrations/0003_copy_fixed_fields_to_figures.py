"""The fixed fields become data: the ten metrics the app had as model fields are created as
Metric rows, every year with figures gets its metric set, and the service points' and the
shared services' figures are copied into Figure rows with the import they came from."""

from django.db import migrations

# (code, Finnish, Swedish, English, unit, level, shared, OKM variable)
BASE_METRICS = [
    ("removals", "Poistot", "Gallringar", "Removals", "items", "service_point", False, "Poistot"),
    ("acquisitions", "Hankinnat", "Förvärv", "Acquisitions", "items", "service_point", False, "Hankinnat"),
    ("collection", "Kokoelma 31.12.", "Samling 31.12.", "Collection at 31.12.", "items", "service_point", False,
     "Kokoelmat"),
    ("loans", "Lainaus (ml. uusinnat)", "Utlåning (inkl. förnyelser)", "Loans (incl. renewals)", "loans",
     "service_point", False, "Kokonaislainaus"),
    ("active_customers", "Aktiiviset asiakkaat", "Aktiva kunder", "Active customers", "customers",
     "service_point", False, "Aktiiviset lainaajat"),
    ("finna_visits", "Finnan verkkokäynnit", "Webbesök i Finna", "Web visits to Finna", "visits", "municipality",
     True, "Verkkokäynnit"),
    ("lounakirjailijat_visits", "Lounakirjailijat-sivuston verkkokäynnit", "Webbesök på Lounakirjailijat",
     "Web visits to Lounakirjailijat", "visits", "municipality", True, "Verkkokäynnit"),
    ("ematerial_count", "Yhteiset e-aineistot: lukumäärä", "Gemensamma e-material: antal",
     "Shared e-materials: count", "titles", "municipality", True, "E-aineistot"),
    ("ematerial_uses", "Yhteiset e-aineistot: käyttökerrat", "Gemensamma e-material: användningar",
     "Shared e-materials: uses", "uses", "municipality", True, "E-aineistojen käyttökerrat"),
    ("ematerial_acquisitions", "Yhteiset e-aineistot: hankinnat", "Gemensamma e-material: förvärv",
     "Shared e-materials: acquisitions", "items", "municipality", True, "E-aineistojen hankinnat"),
]
POINT_FIELDS = ("removals", "acquisitions", "collection", "loans", "active_customers")


def forwards(apps, schema_editor):
    Metric = apps.get_model("stats", "Metric")
    MetricVersion = apps.get_model("stats", "MetricVersion")
    Figure = apps.get_model("stats", "Figure")
    StatisticsYear = apps.get_model("stats", "StatisticsYear")
    ServicePointFigures = apps.get_model("stats", "ServicePointFigures")
    MunicipalitySharedFigure = apps.get_model("stats", "MunicipalitySharedFigure")
    metrics = {}
    for code, fi, sv, en, unit, level, shared, _okm in BASE_METRICS:
        metrics[code], _created = Metric.objects.get_or_create(code=code, defaults={
            "name_fi": fi, "name_sv": sv, "name_en": en, "unit": unit, "level": level, "is_shared": shared})
    for year in StatisticsYear.objects.values_list("year", flat=True):
        for position, (code, *_rest, okm) in enumerate(BASE_METRICS):
            MetricVersion.objects.get_or_create(year=year, metric=metrics[code],
                                                defaults={"okm_variable": okm, "position": position})
    figures = []
    for row in ServicePointFigures.objects.select_related("service_point__library").iterator():
        for code in POINT_FIELDS:
            value = getattr(row, code)
            if value is not None:
                figures.append(Figure(
                    statistics_year_id=row.statistics_year_id, metric=metrics[code], month=0,
                    municipality_id=row.service_point.library.municipality_id, service_point_id=row.service_point_id,
                    value=value, source_import_id=row.source_import_id, is_demo=row.is_demo))
    for part in MunicipalitySharedFigure.objects.select_related("shared_total").iterator():
        total = part.shared_total
        figures.append(Figure(
            statistics_year_id=total.statistics_year_id, metric=metrics[total.metric], month=0,
            municipality_id=part.municipality_id, value=part.value, source_import_id=total.source_import_id,
            is_demo=total.is_demo))
    Figure.objects.bulk_create(figures, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_metrics_as_data")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
