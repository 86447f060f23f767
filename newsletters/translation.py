"""Texts every member reads get an optional Swedish version through django-modeltranslation,
the same way as every other member-facing text of the portal. The Swedish columns
(title_sv, body_sv, subject_sv, intro_sv) kept their names and data; the Finnish text is
title_fi (and so on), the one every item and issue has."""

from modeltranslation.translator import TranslationOptions, register

from .models import Issue, Item


@register(Item)
class ItemTranslation(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("fi",)


@register(Issue)
class IssueTranslation(TranslationOptions):
    fields = ("subject", "intro")
    required_languages = ("fi",)
