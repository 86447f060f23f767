"""The public calendar's filters (django-filter): kind and theme."""

import django_filters
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Training


class TrainingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Training.Kind.choices, empty_label=_("All kinds"))
    theme = django_filters.ChoiceFilter(label=_("Theme"), choices=[], empty_label=_("All themes"))

    class Meta:
        model = Training
        fields = ["kind", "theme"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["theme"].extra["choices"] = [(theme, theme) for theme in selectors.themes()]
