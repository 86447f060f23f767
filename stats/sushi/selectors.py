"""Reads of SUSHI harvesting, each a constant number of queries however many accounts and
months there are."""

from datetime import date, timedelta

from .models import Harvest, SushiAccount

__all__ = ("account_list", "account_get", "harvest_get", "harvest_grid", "problem_harvests", "grid_months")


def account_list():
    return SushiAccount.objects.select_related("library").order_by("service_name", "library__name", "pk")


def account_get(*, pk: int) -> SushiAccount:
    return account_list().get(pk=pk)


def harvest_get(*, pk: int) -> Harvest:
    return Harvest.objects.select_related("account").get(pk=pk)


def grid_months(*, last: date, count: int = 12) -> list[date]:
    months, month = [], last.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


# How bad a state is, for an account's cell when its reports differ (the worst shows).
_SEVERITY = {Harvest.State.CREDENTIALS: 7, Harvest.State.FAILED: 6, Harvest.State.RETRY: 5,
             Harvest.State.RUNNING: 4, Harvest.State.PENDING: 3, Harvest.State.NOT_READY: 2,
             Harvest.State.EMPTY: 1, Harvest.State.DONE: 0}


# Bootstrap's contrast-checked colour pairs, so the grid passes axe; the text says the same.
STATE_CSS = {Harvest.State.DONE: "text-bg-success", Harvest.State.EMPTY: "text-bg-light",
             Harvest.State.NOT_READY: "text-bg-info", Harvest.State.PENDING: "text-bg-secondary",
             Harvest.State.RUNNING: "text-bg-secondary", Harvest.State.RETRY: "text-bg-warning",
             Harvest.State.FAILED: "text-bg-danger", Harvest.State.CREDENTIALS: "text-bg-danger"}


def harvest_grid(*, months: list[date]) -> list[dict]:
    """One row per account: per month its harvests (one per report), the worst state
    among them, and the reports still missing. Two queries."""
    accounts = list(account_list())
    harvests = (Harvest.objects.filter(account__in=[a.pk for a in accounts], month__gte=months[0],
                                       month__lte=months[-1])
                .only("pk", "account_id", "report_id", "month", "state", "attempts", "exceptions", "error",
                      "finished_at", "next_attempt_at"))
    by_cell: dict = {}
    for harvest in harvests:
        by_cell.setdefault((harvest.account_id, harvest.month), []).append(harvest)
    rows = []
    for account in accounts:
        cells = []
        for month in months:
            found = sorted(by_cell.get((account.pk, month), []), key=lambda h: h.report_id)
            have = {h.report_id for h in found}
            missing = [report for report in account.reports if report not in have]
            state = max((h.state for h in found), key=lambda s: _SEVERITY[s]) if found else None
            cells.append({"month": month, "harvests": found, "state": state, "missing": missing,
                          "css": STATE_CSS.get(state, ""), "label": found and Harvest.State(state).label,
                          "title": "; ".join(f"{h.report_id}: {h.get_state_display()}"
                                             + (f" – {h.exception_text}" if h.exception_text else "") for h in found)})
        rows.append({"account": account, "cells": cells})
    return rows


def problem_harvests(*, months: list[date], limit: int = 200):
    """The harvests of the grid's months that need a look (with their exceptions), newest first."""
    return list(Harvest.objects.filter(month__gte=months[0], month__lte=months[-1])
                .exclude(state__in=[Harvest.State.DONE, Harvest.State.PENDING])
                .select_related("account", "account__library").order_by("-month", "account__service_name", "report_id")
                [:limit])
