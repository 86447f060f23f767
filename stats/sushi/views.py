"""Thin views of SUSHI harvesting: parse, check permission, call a selector or a service.
Every page is for the coordinator and consortium staff only (403 for anyone else); an
account or harvest id that does not exist is a 404."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.views import get_or_404, permission_required

from . import selectors, services
from .forms import AccountForm, PeriodForm
from .permissions import can_manage_sushi

can_manage = permission_required(can_manage_sushi)


def _last_closed_month():
    return services.month_start(services.month_start(timezone.localdate()) - timedelta(days=1))


@can_manage
def grid(request):
    # ?until=YYYY-MM shows the twelve months up to that one (default: the last month ended).
    try:
        last = min(datetime.strptime(request.GET.get("until", ""), "%Y-%m").date(), _last_closed_month())
    except ValueError:
        last = _last_closed_month()
    months = selectors.grid_months(last=last)
    return render(request, "stats_sushi/grid.html", {
        "months": months, "earlier": services.month_start(months[0] - timedelta(days=1)),
        "is_latest": months[-1] == _last_closed_month(), "rows": selectors.harvest_grid(months=months),
        "problems": selectors.problem_harvests(months=months),
    })


@can_manage
def account_detail(request, pk, *, test=None, period_form=None, status=200):
    account = get_or_404(selectors.account_get, pk=pk)
    last = _last_closed_month()
    return render(request, "stats_sushi/account_detail.html", {
        "account": account, "test": test,
        "period_form": period_form or PeriodForm(initial={"begin": f"{last:%Y-%m}", "end": f"{last:%Y-%m}"}),
        "months": selectors.grid_months(last=last),
    }, status=status)


@can_manage
def account_edit(request, pk=None):
    account = get_or_404(selectors.account_get, pk=pk) if pk else None
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        data, secrets = form.split()
        outcome = run_service(request, lambda: services.account_save(account=account, data=data, secrets=secrets,
                                                                     by=request.user),
                              form=form, success_message=_("The SUSHI account was saved."))
        if outcome.ok:
            return redirect("stats_sushi:account_detail", pk=outcome.result.pk)
    return render(request, "stats_sushi/account_form.html", {"form": form, "account": account})


@can_manage
@require_POST
def account_test(request, pk):
    account = get_or_404(selectors.account_get, pk=pk)
    return account_detail(request, pk=pk, test=services.connection_test(account=account))


@can_manage
@require_POST
def account_harvest(request, pk):
    account = get_or_404(selectors.account_get, pk=pk)
    form = PeriodForm(request.POST)
    if form.is_valid():
        outcome = run_service(request, lambda: services.harvest_request(
            account=account, begin=form.cleaned_data["begin"], end=form.cleaned_data["end"], by=request.user),
            form=form)
        if outcome.ok:
            messages.success(request, _("%(count)d reports were asked for; the grid shows how they went.")
                             % {"count": outcome.result})
            return redirect("stats_sushi:grid")
    return account_detail(request, pk=pk, period_form=form)


@can_manage
@require_POST
def harvest_retry(request, pk):
    harvest = get_or_404(selectors.harvest_get, pk=pk)
    run_service(request, lambda: services.harvest_retry(harvest=harvest, by=request.user),
                success_message=_("The month is asked for again."))
    return redirect("stats_sushi:grid")
