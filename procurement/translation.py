"""Texts every member library reads get an optional Swedish version (django-modeltranslation:
title_fi and title_sv columns beside each other). The Finnish text is the one every
procurement has; templates show the reader's with {% translated procurement "title" %}."""

from modeltranslation.translator import TranslationOptions, register

from .models import Procurement


@register(Procurement)
class ProcurementTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("fi",)
