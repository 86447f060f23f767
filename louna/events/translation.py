"""Member-facing texts get an optional Swedish version (django-modeltranslation): title_fi
is required, title_sv may be left empty and then the Finnish text is shown."""

from modeltranslation.translator import TranslationOptions, register

from .models import Item


@register(Item)
class ItemTranslationOptions(TranslationOptions):
    fields = ("title", "text", "image_alt", "place")
    # Finnish title and text are required; alt text is required only with an image (the service).
    required_languages = {"fi": ("title", "text"), "default": ()}
