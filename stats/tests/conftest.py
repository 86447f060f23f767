import pytest

from consortium.models import MunicipalityPopulation, ServicePoint, ServicePointExternalId
from consortium.tests.factories import ServicePointFactory


@pytest.fixture
def points(humppila, tammela):
    """Two Louna libraries' service points with ids in the outside systems, and populations."""
    humppila_main = ServicePointFactory(library=humppila, name="Humppilan pääkirjasto")
    ServicePointExternalId.objects.create(service_point=humppila_main, source="mikromarc", value="LOUNA-103-1")
    ServicePointExternalId.objects.create(service_point=humppila_main, source="kirkanta", value="85123")
    tammela_main = ServicePointFactory(library=tammela, name="Tammelan pääkirjasto")
    ServicePointExternalId.objects.create(service_point=tammela_main, source="quria", value="Q-834")
    tammela_bus = ServicePointFactory(library=tammela, name="Tammelan kirjastoauto", kind=ServicePoint.Kind.MOBILE)
    MunicipalityPopulation.objects.create(municipality=humppila.municipality, year=2020, population=2174)
    MunicipalityPopulation.objects.create(municipality=tammela.municipality, year=2020, population=6016)
    return {"humppila": humppila_main, "tammela": tammela_main, "bus": tammela_bus}


POINTS_CSV = (
    "Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\r\n"
    "LOUNA-103-1;Humppilan pääkirjasto;1 204;1 530;31 200;58 400;1 310\r\n"
    "quria:Q-834;;2 010,00;2 400;45 100;91 250;\r\n"
    ";Tammelan kirjastoauto;300;410;6 000;20 100;450\r\n"
    ";;;;;;\r\n"
)


@pytest.fixture
def no_sources(monkeypatch):
    """Only the figure sources a test registers (other apps' sources, such as Louna's orders,
    are tested in their own app). Returns the registry to register them in."""
    from consortium import registry

    monkeypatch.setattr(registry, "_figure_sources", {})
    monkeypatch.setattr(registry, "_figure_source_labels", {})
    return registry


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the source language) outside requests."""
    from django.utils import translation

    with translation.override("en"):
        yield


def point_figures(point, *, codes=("removals", "acquisitions", "collection", "loans", "active_customers")):
    """A service point's figures in force, in the old column order (None: no figure)."""
    from stats.models import Figure

    values = dict(Figure.objects.filter(service_point=point, replaced_by__isnull=True)
                  .values_list("metric__code", "value"))
    return tuple(values.get(code) for code in codes)


def points_with_figures(**filters) -> int:
    from stats.models import Figure

    return (Figure.objects.filter(service_point__isnull=False, replaced_by__isnull=True, **filters)
            .values("service_point").distinct().count())


def municipality_parts(metric: str) -> dict:
    from stats.models import Figure

    return dict(Figure.objects.filter(metric__code=metric, service_point__isnull=True, replaced_by__isnull=True)
                .values_list("municipality_id", "value"))


class broker_unreachable:
    """Inside the block Celery is not eager and its broker does not answer (nothing listens
    on the port): a queued job's hand-over fails and its JobRun waits in the database, as
    while Redis is down or every worker is busy."""

    def __enter__(self):
        from config.celery import app

        self.previous = (app.conf.task_always_eager, app.conf.broker_url)
        app.conf.task_always_eager = False
        app.conf.broker_url = "redis://127.0.0.1:1/0"
        app._pool = None  # the connection pools were built for the previous URL
        app.amqp._producer_pool = None
        return self

    def __exit__(self, *exc):
        from config.celery import app

        app.conf.task_always_eager, app.conf.broker_url = self.previous
        app._pool = None
        app.amqp._producer_pool = None


def import_job_delivered_twice(draft, *, by, capture):
    """A background import whose every task a broker delivers twice, as it may: the check
    again leaves the checked draft as it is, a second confirm while the save is queued queues
    nothing more, and the save redelivered (a worker died before acknowledging it) returns
    the same import. Returns that import, for the kind's own checks of what it saved."""
    from consortium.models import JobRun
    from stats import import_jobs, tasks
    from stats.models import DraftState, StatsImport

    draft.refresh_from_db()
    preview, year = draft.result, draft.statistics_year.year
    assert tasks.check_import.apply(kwargs={"draft_id": draft.pk}).get() is None
    draft.refresh_from_db()
    assert draft.state == DraftState.READY and draft.result == preview
    with capture(execute=True):
        import_jobs.import_job_confirm(year=year, draft_id=draft.pk, sha256=draft.sha256, by=by)
        import_jobs.import_job_confirm(year=year, draft_id=draft.pk, sha256=draft.sha256, by=by)
    first = StatsImport.objects.get()
    assert tasks.save_import.apply(kwargs={"draft_id": draft.pk}).get() == first.pk
    assert StatsImport.objects.count() == 1
    assert JobRun.objects.filter(task_name=tasks.SAVE_IMPORT_TASK).count() == 2  # the queued one and the redelivery
    return first
