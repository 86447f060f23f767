"""The public list's filters (django-filter)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import selectors
from .models import Item

__all__ = ("ComingEventFilter", "DEFAULT_DAYS", "LONGEST_RANGE")

DEFAULT_DAYS = 60
LONGEST_RANGE = timedelta(days=366)


class ComingEventFilter(django_filters.FilterSet):
    """Filters that narrow the items; the date range (`start`, `end`) is read by the view,
    which expands the repeating events inside it."""

    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=selectors.louna_municipalities(), method="filter_municipality",
        empty_label=_("All of Louna"),
    )
    audience = django_filters.ChoiceFilter(
        label=_("Audience"), choices=[c for c in Item.Audience.choices if c[0] != Item.Audience.ALL],
        method="filter_audience", empty_label=_("Everyone"),
    )
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Item.Language.choices,
                                           empty_label=_("Any language"))
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    start = django_filters.DateFilter(label=pgettext_lazy("date range", "From"), method="filter_nothing",
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    end = django_filters.DateFilter(label=pgettext_lazy("date range", "To"), method="filter_nothing",
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    class Meta:
        model = Item
        fields = ["municipality", "audience", "language", "q", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh queryset per request: the class attribute would be evaluated once.
        self.filters["municipality"].queryset = selectors.louna_municipalities()
        for name in ("start", "end"):
            self.form.fields[name].help_text = _("E.g. 21.11.2026")

    def filter_municipality(self, qs, name, value):
        return selectors.for_municipality(qs, value)

    def filter_audience(self, qs, name, value):
        # An event for everyone is also one for children, young people and adults.
        return qs.filter(audience__in=[value, Item.Audience.ALL])

    def filter_text(self, qs, name, value):
        words = value.strip()
        if not words:
            return qs
        return qs.filter(Q(title_fi__icontains=words) | Q(title_sv__icontains=words) | Q(text_fi__icontains=words)
                         | Q(text_sv__icontains=words) | Q(place_fi__icontains=words))

    def filter_nothing(self, qs, name, value):
        return qs

    def date_range(self):
        """(first day, last day) to show: from today for DEFAULT_DAYS unless chosen, at most a year."""
        today = timezone.localdate()
        data = self.form.cleaned_data if self.form.is_valid() else {}
        start = data.get("start") or today
        end = data.get("end") or start + timedelta(days=DEFAULT_DAYS)
        if end < start:
            end = start
        return start, min(end, start + LONGEST_RANGE)
