"""Writes of Louna's shared e-materials. Views check who may call these (permissions.py);
every rule about the data itself is checked here, in one transaction each."""

import hashlib
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.templatetags.portal import money

from . import imports
from .models import Budget, EMaterialService, Order, OrderImport, SelectionPrinciple
from .selectors import budget_weights, louna_municipalities

__all__ = ("principle_adopt", "budget_save", "order_record", "order_advance", "orders_import_preview",
           "orders_import_confirm", "service_get_or_create")

# The order of the cataloguing states, and the date field each one fills.
STATE_DATES = {Order.State.RECEIVED: "received_on", Order.State.CATALOGUED: "catalogued_on",
               Order.State.VISIBLE: "visible_on"}
STATE_ORDER = [Order.State.ORDERED, Order.State.RECEIVED, Order.State.CATALOGUED, Order.State.VISIBLE]


def principle_adopt(*, year: int, text: str, decision, by) -> SelectionPrinciple:
    """A new version of the year's selection principles, as a meeting decided them."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the principles.")})
    if decision is None:
        raise ValidationError({"decision": _("Choose the meeting decision that adopted the principles.")})
    with transaction.atomic():
        last = SelectionPrinciple.objects.select_for_update().filter(year=year).aggregate(last=Max("version"))["last"]
        principle = SelectionPrinciple(year=year, version=(last or 0) + 1, text=text.strip(), decision=decision,
                                       created_by=by)
        principle.full_clean()
        principle.save()
    return principle


def service_get_or_create(*, name: str, kind: str = EMaterialService.Kind.OTHER, vendor: str = "") -> EMaterialService:
    service, _created = EMaterialService.objects.get_or_create(name=name.strip(), defaults={"kind": kind,
                                                                                          "vendor": vendor})
    return service


def budget_save(*, budget: Budget, by, **fields) -> Budget:
    """Create or change a budget. Agreed shares must name every Louna municipality with a
    positive whole number, so the euros can always be shared."""
    for name, value in fields.items():
        setattr(budget, name, value)
    if budget.key == Budget.Key.SHARES:
        shares = {str(key): value for key, value in (budget.agreed_shares or {}).items()}
        for municipality in louna_municipalities():
            value = shares.get(str(municipality.pk))
            if value in (None, "") or int(value) <= 0:
                raise ValidationError({"agreed_shares": _("Give %(municipality)s a share above zero.")
                                       % {"municipality": municipality}})
        budget.agreed_shares = {key: int(value) for key, value in shares.items()}
    else:
        budget.agreed_shares = {}
    budget.full_clean()
    try:
        with transaction.atomic():
            budget_weights(budget, louna_municipalities())  # a budget whose cost cannot be shared is refused
            budget.save()
    except IntegrityError as error:
        raise ValidationError({"service": _("This service already has a budget for %(year)s.")
                               % {"year": budget.year}}) from error
    return budget


def _check_budget(budget: Budget, price: Decimal, allow_over_budget: bool, field: str = "price") -> None:
    spent = budget.orders.aggregate(total=Sum("price"))["total"] or Decimal("0")
    if spent + price > budget.amount and not allow_over_budget:
        raise ValidationError({field: _(
            "This order takes %(service)s over its budget: %(spent)s already ordered of %(amount)s, "
            "%(over)s over. Confirm to record it anyway.") % {
            "service": budget.service, "spent": money(spent), "amount": money(budget.amount),
            "over": money(spent + price - budget.amount)}})


def order_record(*, budget: Budget, principle: SelectionPrinciple, by, allow_over_budget: bool = False,
                 **fields) -> Order:
    """Record an order against a budget, following a version of the principles. An order
    that would take the budget over is refused until the coordinator confirms it."""
    order = Order(budget=budget, principle=principle, created_by=by, **fields)
    if principle is not None and budget is not None and principle.year != budget.year:
        raise ValidationError({"principle": _("The principles are for %(principle)s but the budget for %(budget)s.")
                               % {"principle": principle.year, "budget": budget.year}})
    order.full_clean()
    with transaction.atomic():
        Budget.objects.select_for_update().get(pk=budget.pk)  # two orders at once see each other's price
        _check_budget(budget, order.price, allow_over_budget)
        order.save()
    return order


def order_advance(*, order: Order, state: str, on: date, today: date) -> Order:
    """Move an order on its way to the customers: ordered → received → catalogued →
    visible in Finna, each step dated, none skipped backwards."""
    if state not in STATE_DATES:
        raise ValidationError({"state": _("Choose the next state.")})
    if on is None:
        raise ValidationError({"on": _("Give the date.")})
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < order.ordered_on:
        raise ValidationError({"on": _("The date cannot be before the order date.")})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if STATE_ORDER.index(state) <= STATE_ORDER.index(order.state):
            raise ValidationError({"state": _("The order is already %(state)s.") % {"state": order.get_state_display()}})
        for earlier in STATE_ORDER[1:STATE_ORDER.index(state) + 1]:
            # A step passed over gets the same date: the order went through it that day.
            if getattr(order, STATE_DATES[earlier]) is None:
                setattr(order, STATE_DATES[earlier], on)
        order.state = state
        order.save(update_fields=["state", *STATE_DATES.values()])
    return order


def orders_import_preview(*, data: bytes, file_name: str, year: int, by) -> OrderImport:
    """Parse a vendor's order or invoice file and keep what was found as a draft: clean rows
    ready to save, and every refused row with its reason. Nothing is ordered yet."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = OrderImport.objects.filter(sha256=digest, state=OrderImport.State.CONFIRMED).first()
    if earlier is not None:
        raise ValidationError({"file": _("This file was already imported on %(date)s.")
                               % {"date": timezone.localtime(earlier.confirmed_at).strftime("%-d.%-m.%Y")}})
    rows, errors = imports.parse_order_file(data, year=year)
    return OrderImport.objects.create(file_name=file_name[:200], sha256=digest, rows=rows, errors=errors, created_by=by)


def orders_import_confirm(*, draft: OrderImport, by, allow_over_budget: bool = False) -> list[Order]:
    """Save the rows of a clean preview, all or nothing."""
    with transaction.atomic():
        draft = OrderImport.objects.select_for_update().get(pk=draft.pk)
        if draft.state != OrderImport.State.DRAFT:
            raise ValidationError(_("This file was already imported."))
        if draft.errors:
            raise ValidationError(_("Fix the refused rows and upload the file again: nothing was saved."))
        if not draft.rows:
            raise ValidationError(_("The file has no orders."))
        orders = []
        for row in draft.rows:
            budget = Budget.objects.select_related("service").get(pk=row["budget"])
            principle = SelectionPrinciple.objects.get(pk=row["principle"])
            price = Decimal(row["price"])
            try:
                _check_budget(budget, price, allow_over_budget)
            except ValidationError as error:
                raise ValidationError(_("Row %(row)s: %(error)s") % {
                    "row": row["row"], "error": " ".join(error.messages)}) from error
            order = Order(budget=budget, principle=principle, titles=row["titles"], title_count=row["title_count"],
                          licence_model=row["licence_model"], licences=row["licences"], price=price,
                          ordered_on=date.fromisoformat(row["ordered_on"]), vendor_reference=row["vendor_reference"],
                          imported_from=draft, created_by=by)
            order.full_clean()
            order.save()
            orders.append(order)
        draft.state = OrderImport.State.CONFIRMED
        draft.confirmed_at = timezone.now()
        try:
            with transaction.atomic():
                draft.save(update_fields=["state", "confirmed_at"])
        except IntegrityError as error:  # the same file confirmed from another preview meanwhile
            raise ValidationError(_("This file was already imported.")) from error
    return orders
