"""The public catalogue's filters (django-filter): kind, language and stage."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Kind, Language, Stage


class CatalogueFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("all kinds"))
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Language.choices,
                                           empty_label=_("all languages"), method="filter_language")
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices, empty_label=_("all stages"))

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stages is not None:  # offer only the stages the reader may see
            self.filters["stage"].extra["choices"] = [(value, label) for value, label in Stage.choices
                                                      if value in stages]

    def filter_language(self, queryset, name, value):
        return queryset.filter(languages__contains=f",{value},")
