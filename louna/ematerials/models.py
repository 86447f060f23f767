"""Louna's shared e-materials: what the directors agreed to select, what each year's budget
is and how its cost is shared between the municipalities, and what was ordered against it
and how far each order is from being visible to customers in Finna."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ("EMaterialService", "SelectionPrinciple", "Budget", "Order", "OrderImport")


class EMaterialService(models.Model):
    class Kind(models.TextChoices):
        EBOOKS = "ebooks", _("e-books")
        EAUDIOBOOKS = "eaudiobooks", _("e-audiobooks")
        MAGAZINES = "magazines", _("magazine service")
        MUSIC = "music", _("music service")
        FILMS = "films", _("films")
        OTHER = "other", pgettext_lazy("e-material kind", "other")

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    vendor = models.CharField(_("vendor"), max_length=150, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-material service")
        verbose_name_plural = _("e-material services")

    def __str__(self):
        return self.name


class SelectionPrinciple(models.Model):
    """The directors' principles for selecting shared e-materials in a year. Versioned: a
    new wording is a new version, linked to the meeting decision that adopted it; orders
    point to the version they followed."""

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("principles"))
    decision = models.ForeignKey("louna.Decision", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("adopted by the decision"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="principle_version_once")]
        verbose_name = _("selection principles")
        verbose_name_plural = _("selection principles")

    def __str__(self):
        return _("Selection principles %(year)s, version %(version)s") % {"year": self.year, "version": self.version}


class Budget(models.Model):
    """A service's agreed budget for a year and the key by which its cost is shared."""

    class Key(models.TextChoices):
        POPULATION = "population", _("by population")
        SHARES = "shares", _("by agreed shares")
        EQUAL = "equal", _("equally")

    year = models.PositiveSmallIntegerField(_("year"))
    service = models.ForeignKey(EMaterialService, on_delete=models.PROTECT, related_name="budgets",
                                verbose_name=_("e-material service"))
    amount = models.DecimalField(_("budget (€)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    key = models.CharField(_("cost shared"), max_length=20, choices=Key.choices, default=Key.POPULATION)
    # {municipality id: whole-number share}, for Key.SHARES only (e.g. per cent).
    agreed_shares = models.JSONField(_("agreed shares"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "service__name"]
        constraints = [models.UniqueConstraint(fields=["year", "service"], name="budget_once_per_service_year")]
        verbose_name = _("e-material budget")
        verbose_name_plural = _("e-material budgets")

    def __str__(self):
        return f"{self.service} {self.year}"


class OrderImport(models.Model):
    """An order file between its preview and its confirmation: the rows that were shown are
    kept here, tied to the file's hash, so a confirmation saves exactly what was previewed."""

    class State(models.TextChoices):
        DRAFT = "draft", _("previewed")
        CONFIRMED = "confirmed", _("imported")

    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.JSONField(default=list)  # the clean rows, ready to save
    errors = models.JSONField(default=list)  # [[row number, message], ...]
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["sha256"], condition=models.Q(state="confirmed"),
                                               name="order_file_imported_once")]
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")

    def __str__(self):
        return self.file_name


class Order(models.Model):
    class LicenceModel(models.TextChoices):
        ONE_COPY = "one_copy", _("one copy, one user")
        SIMULTANEOUS = "simultaneous", _("simultaneous use")
        PAY_PER_USE = "pay_per_use", _("pay per use")
        SUBSCRIPTION = "subscription", _("subscription")

    class State(models.TextChoices):
        ORDERED = "ordered", _("ordered")
        RECEIVED = "received", _("received")
        CATALOGUED = "catalogued", _("catalogued in the library system")
        VISIBLE = "visible", _("visible in Finna")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="orders", verbose_name=_("budget"))
    principle = models.ForeignKey(SelectionPrinciple, on_delete=models.PROTECT, related_name="orders",
                                  verbose_name=_("following the principles"))
    titles = models.TextField(_("titles or package"))
    title_count = models.PositiveIntegerField(_("number of titles"), default=1, validators=[MinValueValidator(1)])
    licence_model = models.CharField(_("licence model"), max_length=20, choices=LicenceModel.choices)
    licences = models.PositiveIntegerField(_("licences"), default=1, validators=[MinValueValidator(1)])
    price = models.DecimalField(_("price (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    ordered_on = models.DateField(_("ordered on"))
    vendor_reference = models.CharField(_("vendor's reference"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ORDERED)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    catalogued_on = models.DateField(_("catalogued on"), null=True, blank=True)
    visible_on = models.DateField(_("visible in Finna on"), null=True, blank=True)
    imported_from = models.ForeignKey(OrderImport, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="orders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        indexes = [models.Index(fields=["state", "ordered_on"], name="ematerial_order_waiting")]
        verbose_name = _("e-material order")
        verbose_name_plural = _("e-material orders")

    def __str__(self):
        return f"{self.budget.service}: {self.titles[:60]}"
