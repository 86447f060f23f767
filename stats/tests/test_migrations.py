"""The fixed fields' data survives the move to metrics as data (migrations 0002–0004)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consortium.tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_service_point_and_shared_figures_become_figure_rows(humppila):
    point = ServicePointFactory(library=humppila, name="Humppilan pääkirjasto")
    executor = MigrationExecutor(connection)
    executor.migrate([("stats", "0001_initial")])
    old = executor.loader.project_state([("stats", "0001_initial")]).apps
    year = old.get_model("stats", "StatisticsYear").objects.create(year=2024)
    old.get_model("stats", "ServicePointFigures").objects.create(
        statistics_year=year, service_point_id=point.pk, removals=1, acquisitions=2, collection=3, loans=4,
        active_customers=None)
    total = old.get_model("stats", "SharedServiceTotal").objects.create(
        statistics_year=year, metric="finna_visits", total=10, split_method="given")
    old.get_model("stats", "MunicipalitySharedFigure").objects.create(
        shared_total=total, municipality_id=humppila.municipality_id, value=10)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from stats.models import Figure, MetricVersion

    values = dict(Figure.objects.filter(service_point=point).values_list("metric__code", "value"))
    assert values == {"removals": 1, "acquisitions": 2, "collection": 3, "loans": 4}  # no active customers yet
    shared = Figure.objects.get(metric__code="finna_visits")
    assert (shared.municipality_id, shared.service_point_id, shared.value) == (humppila.municipality_id, None, 10)
    assert MetricVersion.objects.filter(year=2024).count() == 10
