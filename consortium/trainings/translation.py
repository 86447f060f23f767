"""Member-facing texts get an optional Swedish version (django-modeltranslation): the
Finnish title is required, the Swedish may be left empty and the Finnish is shown."""

from modeltranslation.translator import TranslationOptions, register

from .models import Training


@register(Training)
class TrainingTranslationOptions(TranslationOptions):
    fields = ("title", "description", "place")
    required_languages = {"fi": ("title",), "default": ()}
