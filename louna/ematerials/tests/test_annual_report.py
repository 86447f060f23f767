"""Into the statistics: the annual job takes each municipality's shared e-material
acquisitions from the orders (the figure source this app registers), so nobody types them
twice; a municipality's year report equals the sum of its shares of the orders."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from consortium.registry import figure_source_label
from louna.ematerials import selectors, services
from stats import annual_services
from stats.models import AnnualReport

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_the_annual_report_takes_the_acquisitions_from_the_orders(budget, principle, towns, coordinator):
    prices = [Decimal("99.99"), Decimal("0.01"), Decimal("333.33")]
    for number, price in enumerate(prices):
        services.order_record(budget=budget, principle=principle, by=coordinator, titles=f"Kirja {number}",
                              title_count=2, licence_model="one_copy", licences=3, price=price,
                              ordered_on=date(YEAR, 2, 1 + number))
    annual_services.annual_reports_create(year=YEAR, notify=False)
    weights = selectors.budget_weights(budget, selectors.louna_municipalities())
    euros = {}
    for municipality in towns.values():
        report = AnnualReport.objects.get(statistics_year__year=YEAR, municipality=municipality)
        by_order = sum(selectors.split_euros(price, weights)[municipality.pk] for price in prices)
        euros[municipality.code] = Decimal(str(report.figures["ematerial_acquisitions_eur"]))
        assert euros[municipality.code] == by_order
        assert (report.figures["ematerial_titles_acquired"], report.figures["ematerial_licences_acquired"]) == (6, 9)
        assert report.details["from_sources"]["ematerial_acquisitions_eur"] == "louna-ematerials"
    # Shown by its label in the reader's language, not the key (the demo read "louna.ematerials").
    with translation.override("fi"):
        assert figure_source_label("louna-ematerials") == "Lounan e-aineistotilaukset"
    assert sum(euros.values()) == sum(prices)

    # A new order shows in the next version, as a change from the previous one.
    services.order_record(budget=budget, principle=principle, by=coordinator, titles="Lisätilaus",
                          licence_model="one_copy", price=Decimal("10.00"), ordered_on=date(YEAR, 5, 2))
    annual_services.annual_reports_create(year=YEAR, notify=False)
    forssa = AnnualReport.objects.get(statistics_year__year=YEAR, municipality=towns["forssa"], version=2)
    codes = {change["code"] for change in forssa.changes}
    assert {"ematerial_acquisitions_eur", "ematerial_titles_acquired", "ematerial_licences_acquired"} == codes
