"""Texts every member reads get an optional Swedish version (django-modeltranslation:
name_fi and name_sv columns side by side). Templates show the reader's with
{% translated offering "name" %}."""

from modeltranslation.translator import TranslationOptions, register

from .models import Announcement, Offering, PlanItem


@register(Offering)
class OfferingTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi",)


@register(Announcement)
class AnnouncementTranslation(TranslationOptions):
    fields = ("title", "text")
    required_languages = {"fi": ("title",)}


@register(PlanItem)
class PlanItemTranslation(TranslationOptions):
    fields = ("title", "aim")
    required_languages = ("fi",)
