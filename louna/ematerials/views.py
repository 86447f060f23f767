"""Thin views of Louna's shared e-materials: check permission, call a selector or a
service, render. One URL per verb."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import add_service_errors
from consortium.views import permission_required
from louna.models import Decision

from . import permissions, selectors, services
from .forms import AdvanceForm, BudgetForm, ConfirmImportForm, ImportForm, OrderForm, PrincipleForm
from .models import Budget, Order, OrderImport, SelectionPrinciple

can_view = permission_required(permissions.can_view)
can_manage = permission_required(permissions.can_manage)
MAX_UPLOAD = 5 * 1024 * 1024


def _year(request, year=None) -> int:
    if year:
        return int(year)
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


@can_view
def overview(request, year=None):
    year = _year(request, year)
    data = selectors.year_overview(year)
    return render(request, "louna_ematerials/overview.html", {
        "year": year, "overview": data, "totals": data.totals(), "principle": selectors.current_principle(year),
        "own": permissions.own_municipality_ids(request.user), "can_manage": permissions.can_manage(request.user),
    })


@can_view
def principles(request, year):
    return render(request, "louna_ematerials/principles.html", {
        "year": year, "principles": selectors.principles_for(year), "can_manage": permissions.can_manage(request.user)})


@can_manage
def principle_add(request, year):
    decisions = Decision.objects.select_related("meeting").order_by("-meeting__starts_at", "-pk")
    form = PrincipleForm(request.POST or None, decisions=decisions)
    if request.method == "POST" and form.is_valid():
        try:
            services.principle_adopt(year=year, text=form.cleaned_data["text"],
                                     decision=form.cleaned_data["decision"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The principles were saved as a new version."))
            return redirect("louna_ematerials:principles", year=year)
    return render(request, "louna_ematerials/form.html", {
        "form": form, "title": _("New version of the selection principles %(year)s") % {"year": year},
        "cancel_url": "louna_ematerials:overview_year", "cancel_arg": year})


def _budget_form(request, year, budget):
    municipalities = selectors.louna_municipalities()
    initial = {}
    if budget.pk:
        initial = {"service": budget.service_id, "amount": str(budget.amount).replace(".", ","), "key": budget.key,
                   **{f"share_{key}": value for key, value in budget.agreed_shares.items()}}
    form = BudgetForm(request.POST or None, initial=initial, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_save(budget=budget, by=request.user, year=year, service=form.cleaned_data["service"],
                                 amount=form.cleaned_data["amount"], key=form.cleaned_data["key"],
                                 agreed_shares=form.shares())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget was saved."))
            return redirect("louna_ematerials:overview_year", year=year)
    return render(request, "louna_ematerials/form.html", {
        "form": form, "title": _("Budget %(year)s") % {"year": year},
        "cancel_url": "louna_ematerials:overview_year", "cancel_arg": year})


@can_manage
def budget_add(request, year):
    return _budget_form(request, year, Budget(year=year))


@can_manage
def budget_edit(request, pk):
    budget = get_object_or_404(Budget, pk=pk)
    return _budget_form(request, budget.year, budget)


@can_view
def order_list(request):
    year = _year(request)
    state = request.GET.get("state") if request.GET.get("state") in Order.State.values else None
    return render(request, "louna_ematerials/order_list.html", {
        "year": year, "state": state, "states": Order.State.choices,
        "orders": selectors.order_list(year=year, state=state), "can_manage": permissions.can_manage(request.user)})


@can_manage
def order_add(request):
    year = _year(request)
    form = OrderForm(request.POST or None, initial={"ordered_on": timezone.localdate()},
                     budgets=Budget.objects.filter(year__gte=year - 1).select_related("service"),
                     principles=SelectionPrinciple.objects.filter(year__gte=year - 1))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            order = services.order_record(by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The order was recorded."))
            return redirect("louna_ematerials:order_detail", pk=order.pk)
    return render(request, "louna_ematerials/form.html", {
        "form": form, "title": _("New e-material order"), "cancel_url": "louna_ematerials:orders"})


@can_view
def order_detail(request, pk):
    order = get_object_or_404(selectors.order_list(), pk=pk)
    return render(request, "louna_ematerials/order_detail.html", {
        "order": order, "advance": AdvanceForm(initial={"on": timezone.localdate()}),
        "can_manage": permissions.can_manage(request.user)})


@require_POST
@can_manage
def order_advance(request, pk):
    order = get_object_or_404(Order, pk=pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect("louna_ematerials:order_detail", pk=pk)
    try:
        order = services.order_advance(order=order, state=form.cleaned_data["state"], on=form.cleaned_data["on"],
                                       today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The order is now %(state)s.") % {"state": order.get_state_display()})
    return redirect("louna_ematerials:order_detail", pk=pk)


@can_view
def cataloguing(request):
    return render(request, "louna_ematerials/cataloguing.html", {
        "queue": selectors.cataloguing_queue(today=timezone.localdate())})


@can_manage
def import_upload(request):
    year = _year(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is over 5 MB."))
        else:
            try:
                draft = services.orders_import_preview(data=b"".join(upload.chunks()), file_name=upload.name,
                                                       year=year, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("louna_ematerials:import_preview", pk=draft.pk)
    return render(request, "louna_ematerials/import.html", {"form": form, "year": year})


def _own_draft(request, pk) -> OrderImport:
    # A preview belongs to the person who uploaded it: a confirm only saves what they saw.
    return get_object_or_404(OrderImport, pk=pk, created_by=request.user)


@can_manage
def import_preview(request, pk):
    draft = _own_draft(request, pk)
    rows = [{**row, "ordered_on": date.fromisoformat(row["ordered_on"]), "price": Decimal(row["price"])}
            for row in draft.rows]
    return render(request, "louna_ematerials/import_preview.html", {
        "draft": draft, "rows": rows, "form": ConfirmImportForm()})


@require_POST
@can_manage
def import_confirm(request, pk):
    draft = _own_draft(request, pk)
    form = ConfirmImportForm(request.POST)
    form.is_valid()
    try:
        orders = services.orders_import_confirm(draft=draft, by=request.user,
                                                allow_over_budget=form.cleaned_data.get("allow_over_budget", False))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("louna_ematerials:import_preview", pk=pk)
    messages.success(request, _("%(count)s orders were imported.") % {"count": len(orders)})
    return redirect("louna_ematerials:orders")
