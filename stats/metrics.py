"""The base metric set: the ten figures Louna's statistics began with (until 2026 they were
model fields). Migration 0003 created them from its own frozen copy; `base_metrics_ensure`
puts them back in a database that lacks them (a flushed test database, a fresh install
that skipped the data migration)."""

__all__ = ("BASE_METRICS", "base_metrics_ensure", "SOURCE_METRICS", "SOURCE_OKM_VARIABLES", "source_metrics_ensure",
           "SERVICE_METRICS", "service_metrics_ensure", "SERVICE_SHARED_METRICS", "SERVICE_FEEDS",
           "EXTRA_OKM_VARIABLES")

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


def base_metrics_ensure() -> None:
    from .models import Metric

    # By code: the service metrics (SERVICE_METRICS) may be there without the base ones.
    if Metric.objects.filter(code__in=[row[0] for row in BASE_METRICS]).count() == len(BASE_METRICS):
        return
    Metric.objects.bulk_create([
        Metric(code=code, name_fi=fi, name_sv=sv, name_en=en, unit=unit, level=level, is_shared=shared)
        for code, fi, sv, en, unit, level, shared, _okm in BASE_METRICS], ignore_conflicts=True)


# Metrics that other apps' figure sources give (consortium.registry.figure_sources): Louna's
# shared e-material acquisitions come from its orders, so nobody types them in a file.
# Created by migration 0007 (its own frozen copy) and by `source_metrics_ensure`.
SOURCE_METRICS = [
    ("ematerial_acquisitions_eur", "Yhteiset e-aineistot: hankinnat euroina",
     "Gemensamma e-material: förvärv i euro", "Shared e-materials: acquisitions in euros", "euros",
     "municipality", True, "E-aineistojen hankintamenot"),
    ("ematerial_titles_acquired", "Yhteiset e-aineistot: hankitut nimekkeet",
     "Gemensamma e-material: förvärvade titlar", "Shared e-materials: titles acquired", "titles",
     "municipality", True, "E-aineistojen hankinnat, nimekkeet"),
    ("ematerial_licences_acquired", "Yhteiset e-aineistot: hankitut lisenssit",
     "Gemensamma e-material: förvärvade licenser", "Shared e-materials: licences acquired", "items",
     "municipality", True, "E-aineistojen hankinnat, lisenssit"),
]
SOURCE_OKM_VARIABLES = {code: okm for code, *_rest, okm in SOURCE_METRICS}


def source_metrics_ensure() -> None:
    """Put back the source metrics, and the municipality metrics the e-material services'
    figures are split into, in a database that lacks them (a flushed test database)."""
    from .models import Metric

    rows = SOURCE_METRICS + SERVICE_SHARED_METRICS
    if Metric.objects.filter(code__in=[row[0] for row in rows]).count() == len(rows):
        return
    Metric.objects.bulk_create([
        Metric(code=code, name_fi=fi, name_sv=sv, name_en=en, unit=unit, level=level, is_shared=shared)
        for code, fi, sv, en, unit, level, shared, _okm in rows], ignore_conflicts=True)
# The figures kept per web site or e-material service (ServiceFigure), not per service point.
# (code, Finnish, Swedish, English, unit)
SERVICE_METRICS = [
    ("web_visits", "Verkkokäynnit", "Webbesök", "Web visits", "visits"),
    ("ematerial_loans", "E-aineistojen lainat", "Lån av e-material", "E-material loans", "loans"),
    ("ematerial_titles", "E-aineistojen nimekkeet", "Titlar av e-material", "E-material titles", "titles"),
    ("ematerial_acquisition_euros", "E-aineistojen hankinnat (euroa)", "Förvärv av e-material (euro)",
     "E-material acquisitions (euros)", "euros"),
    ("ematerial_acquisition_items", "E-aineistojen hankinnat (kpl)", "Förvärv av e-material (st.)",
     "E-material acquisitions (items)", "items"),
]


def service_metrics_ensure() -> dict:
    """The service metrics, created where missing (a flushed test database); {code: pk}."""
    from .models import Metric

    for code, fi, sv, en, unit in SERVICE_METRICS:
        Metric.objects.get_or_create(code=code, defaults={"name_fi": fi, "name_sv": sv, "name_en": en, "unit": unit,
                                                          "level": "service", "is_shared": False})
    return dict(Metric.objects.filter(code__in=[row[0] for row in SERVICE_METRICS]).values_list("code", "pk"))


# The e-material services' year totals (ServiceFigure) are shared figures too: the annual job
# splits each one's total over all services among the Louna municipalities by the key chosen
# for the municipality metric it feeds (services.split_keys). Titles, acquired items and euros
# feed the figures the shared-services file and Louna's orders already have; loans had no
# municipality metric (COUNTER has no loans: they come from the vendors), so migration 0012
# creates one. {service metric: municipality metric}
SERVICE_FEEDS = {
    "ematerial_loans": "ematerial_shared_loans",
    "ematerial_titles": "ematerial_count",
    "ematerial_acquisition_items": "ematerial_acquisitions",
    "ematerial_acquisition_euros": "ematerial_acquisitions_eur",
}
SERVICE_SHARED_METRICS = [
    ("ematerial_shared_loans", "Yhteiset e-aineistot: lainat", "Gemensamma e-material: lån",
     "Shared e-materials: loans", "loans", "municipality", True, "E-aineistojen lainaus"),
]
# The OKM variable of a metric a report carries outside its year's set (a figure source's, or
# a split of the services' figures).
EXTRA_OKM_VARIABLES = {**SOURCE_OKM_VARIABLES, **{code: okm for code, *_rest, okm in SERVICE_SHARED_METRICS}}
