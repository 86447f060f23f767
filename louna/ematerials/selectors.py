"""Reads of Louna's shared e-materials: cost shares, budget use and the cataloguing queue.

Cost shares are whole cents that add up exactly to the euros shared: the largest-remainder
split of the statistics app (`stats.allocation`), the same one its figures use."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from consortium.models import Library, Municipality, MunicipalityPopulation
from consortium.permissions import LOUNA_AREA
# The statistics' allocation keys are the one implementation of "split exactly": euros in
# whole cents by largest remainder, its tie rule written down in stats/allocation.py.
from stats.allocation import split_money as split_euros

from .models import Budget, EMaterialService, Order, SelectionPrinciple

__all__ = ("louna_municipalities", "budget_weights", "split_euros", "year_overview", "YearOverview",
           "municipality_report", "cataloguing_queue", "current_principle", "principles_for", "order_list")

def louna_municipalities() -> list[Municipality]:
    """The municipalities whose libraries are in Louna, in name order."""
    ids = Library.objects.active().in_area(LOUNA_AREA).values_list("municipality_id", flat=True)
    return list(Municipality.objects.filter(pk__in=ids).order_by("name_fi"))


def budget_weights(budget: Budget, municipalities: list[Municipality]) -> dict[int, int]:
    """{municipality id: weight} by the budget's key. A missing population or share is an
    error naming the municipality: a guessed weight would move euros between towns."""
    if not municipalities:
        raise ValidationError(_("No Louna municipality to share the cost between."))
    if budget.key == Budget.Key.EQUAL:
        return {municipality.pk: 1 for municipality in municipalities}
    if budget.key == Budget.Key.SHARES:
        weights = {}
        for municipality in municipalities:
            share = budget.agreed_shares.get(str(municipality.pk))
            if share is None:
                raise ValidationError(_("No agreed share for %(municipality)s.") % {"municipality": municipality})
            weights[municipality.pk] = int(share)
        return weights
    populations = {}
    rows = (MunicipalityPopulation.objects.filter(municipality__in=municipalities, year__lte=budget.year)
            .order_by("municipality_id", "-year").values_list("municipality_id", "population"))
    for municipality_id, population in rows:
        populations.setdefault(municipality_id, population)  # the newest year up to the budget's
    for municipality in municipalities:
        if municipality.pk not in populations:
            raise ValidationError(_("No population of %(municipality)s for %(year)s or before.")
                                  % {"municipality": municipality, "year": budget.year})
    return populations


@dataclass
class BudgetLine:
    budget: Budget
    spent: Decimal
    orders: int
    shares: dict[int, Decimal]  # the budget's cost share per municipality
    spent_shares: dict[int, Decimal]  # what the orders so far cost each municipality
    error: str = ""

    @property
    def left(self) -> Decimal:
        return self.budget.amount - self.spent

    @property
    def over(self) -> bool:
        return self.spent > self.budget.amount


@dataclass
class YearOverview:
    year: int
    municipalities: list[Municipality]
    lines: list[BudgetLine] = field(default_factory=list)

    def totals(self) -> dict[int, Decimal]:
        """What the year's orders cost each municipality, all services together."""
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            for municipality_id, euros in line.spent_shares.items():
                totals[municipality_id] += euros
        return dict(totals)


def _order_shares(orders: list[Order], weights: dict[int, int]) -> dict[int, Decimal]:
    """Each order is shared on its own (its cents add up to its price), then summed: the
    municipality's year report equals the sum of its shares of the orders."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for order in orders:
        for municipality_id, euros in split_euros(order.price, weights).items():
            totals[municipality_id] += euros
    return dict(totals)


def year_overview(year: int) -> YearOverview:
    """Every budget of the year with what was spent and each municipality's share: a fixed
    number of queries however many orders there are."""
    municipalities = louna_municipalities()
    overview = YearOverview(year=year, municipalities=municipalities)
    budgets = (Budget.objects.filter(year=year).select_related("service")
               .prefetch_related(Prefetch("orders", queryset=Order.objects.only("pk", "budget_id", "price")))
               .order_by("service__name"))
    for budget in budgets:
        orders = list(budget.orders.all())
        spent = sum((order.price for order in orders), Decimal("0"))
        try:
            weights = budget_weights(budget, municipalities)
        except ValidationError as error:
            overview.lines.append(BudgetLine(budget, spent, len(orders), {}, {}, error=" ".join(error.messages)))
            continue
        overview.lines.append(BudgetLine(budget, spent, len(orders), split_euros(budget.amount, weights),
                                         _order_shares(orders, weights)))
    return overview


def municipality_report(year: int, municipality: Municipality) -> dict:
    """The year's shared e-materials for one municipality's statistics: its share of the
    acquisitions in euros, and the titles and licences acquired (shared by all of Louna)."""
    overview = year_overview(year)
    orders = Order.objects.filter(budget__year=year)
    counts = orders.aggregate(titles=Sum("title_count"), licences=Sum("licences"))
    return {
        "year": year, "municipality": municipality,
        "acquisitions_eur": overview.totals().get(municipality.pk, Decimal("0")),
        "titles": counts["titles"] or 0, "licences": counts["licences"] or 0,
        "by_service": [(line.budget.service, line.spent_shares.get(municipality.pk, Decimal("0")))
                       for line in overview.lines],
    }


def cataloguing_queue(*, today: date):
    """Orders not yet visible to customers, oldest first, with how long each has waited."""
    orders = (Order.objects.exclude(state=Order.State.VISIBLE).select_related("budget__service")
              .order_by("ordered_on", "pk"))
    return [(order, (today - order.ordered_on).days) for order in orders]


def current_principle(year: int) -> SelectionPrinciple | None:
    return SelectionPrinciple.objects.filter(year=year).select_related("decision__meeting").first()


def principles_for(year: int):
    return SelectionPrinciple.objects.filter(year=year).select_related("decision__meeting")


def order_list(*, year: int | None = None, state: str | None = None):
    orders = Order.objects.select_related("budget__service", "principle")
    if year:
        orders = orders.filter(budget__year=year)
    if state:
        orders = orders.filter(state=state)
    return orders


def services():
    return EMaterialService.objects.all()


# Metric codes of the statistics these figures feed (OKM's e-material acquisitions).
ACQUISITION_METRICS = {"acquisitions_eur": "ematerial_acquisitions_eur", "titles": "ematerial_titles_acquired",
                       "licences": "ematerial_licences_acquired"}


def statistics_figures(*, year: int) -> list:
    """The year's shared e-material acquisitions per Louna municipality, for the statistics
    (registered as a figure source): its euros are its shares of the orders; titles and
    licences are shared by all of Louna, so each municipality reports the whole count."""
    from consortium.registry import Figure

    figures = []
    overview = year_overview(year)
    totals = overview.totals()
    counts = Order.objects.filter(budget__year=year).aggregate(titles=Sum("title_count"), licences=Sum("licences"))
    for municipality in overview.municipalities:
        values = {"acquisitions_eur": totals.get(municipality.pk, Decimal("0")),
                  "titles": counts["titles"] or 0, "licences": counts["licences"] or 0}
        figures.extend(Figure(municipality_code=municipality.code, metric=ACQUISITION_METRICS[name], value=value,
                              source="louna-ematerials") for name, value in values.items())
    return figures
