"""The item form: Finnish texts required, Swedish optional; times typed as Finns write them."""

from datetime import date

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from consortium.models import Library
from consortium.permissions import LOUNA_AREA

from . import permissions, services
from .models import Item

__all__ = ("ItemForm",)

DATETIME_HELP = _("E.g. 21.11.2026 13.00")


def _text_input(**attrs):
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


def _formfield(field, **kwargs):
    # Links typed without a scheme are taken as https (Django 6's default, asked for now).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ItemForm(forms.ModelForm):
    writing_as = forms.ModelChoiceField(label=_("Written by"), queryset=Library.objects.none(), required=False,
                                        empty_label=_("Louna (shared item of the coordinator)"))
    all_of_louna = forms.BooleanField(label=_("Concerns all of Louna"), required=False)
    libraries = forms.ModelMultipleChoiceField(label=_("Libraries concerned"), queryset=Library.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    exceptions = forms.CharField(
        label=_("Cancelled dates"), required=False, widget=_text_input(),
        help_text=_("Dates on which a repeating event does not take place, separated by commas, e.g. 24.12.2026, 31.12.2026"),
    )

    class Meta:
        model = Item
        formfield_callback = _formfield
        fields = ["kind", "title_fi", "title_sv", "text_fi", "text_sv", "image", "image_alt_fi", "image_alt_sv",
                  "starts_at", "ends_at", "place_fi", "place_sv", "repeat", "repeat_until", "audience", "language",
                  "link", "publish_from", "publish_until"]
        labels = {
            "title_fi": _("Title in Finnish"), "title_sv": _("Title in Swedish (optional)"),
            "text_fi": _("Text in Finnish"), "text_sv": _("Text in Swedish (optional)"),
            "image_alt_fi": _("Image description in Finnish (alt text)"),
            "image_alt_sv": _("Image description in Swedish (optional)"),
            "place_fi": _("Place"), "place_sv": _("Place in Swedish (optional)"),
        }
        help_texts = {
            "starts_at": DATETIME_HELP, "ends_at": DATETIME_HELP, "publish_until": DATETIME_HELP,
            "publish_from": _("E.g. 21.11.2026 13.00; empty: at once"),
            "repeat_until": _("E.g. 21.11.2026"),
            "image_alt_fi": _("What the image shows, for those who cannot see it. Required with an image."),
        }
        widgets = {
            "starts_at": _text_input(), "ends_at": _text_input(), "publish_from": _text_input(),
            "publish_until": _text_input(), "repeat_until": _text_input(),
            "text_fi": forms.Textarea(attrs={"rows": 6}), "text_sv": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_from"].required = False
        self.fields["title_fi"].required = self.fields["text_fi"].required = True
        louna = Library.objects.in_area(LOUNA_AREA).select_related("municipality").order_by("name")
        self.manage = permissions.can_manage(user)
        if self.manage:
            self.fields["libraries"].queryset = louna
            if self.instance.pk:
                del self.fields["writing_as"]  # whose an item is does not change
            else:
                self.fields["writing_as"].queryset = louna
        else:
            own = louna.filter(pk__in=permissions.writer_library_ids(user))
            self.fields["writing_as"].queryset = own
            self.fields["writing_as"].required = True
            self.fields["writing_as"].empty_label = None
            if self.instance.pk:
                del self.fields["writing_as"]
            # A library's item concerns the library itself: nothing to choose.
            del self.fields["libraries"], self.fields["all_of_louna"]
        if self.instance.pk:
            if "all_of_louna" in self.fields:
                self.initial["all_of_louna"] = self.instance.all_of_louna
                self.initial["libraries"] = list(self.instance.libraries.all())
            self.initial["exceptions"] = ", ".join(
                date_format(date.fromisoformat(day), "SHORT_DATE_FORMAT") for day in self.instance.exception_dates)

    def clean_exceptions(self):
        days = []
        field = forms.DateField()
        for part in (self.cleaned_data.get("exceptions") or "").replace(";", ",").split(","):
            if part.strip():
                try:
                    days.append(field.clean(part.strip()))
                except forms.ValidationError:
                    raise forms.ValidationError(_("“%(value)s” is not a date (e.g. 24.12.2026).")
                                                % {"value": part.strip()}) from None
        return days

    def clean(self):
        data = super().clean()
        # The service's own rules, run early so each message lands on its field (the model's
        # constraints would only say the row is invalid).
        probe = Item(**{name: data.get(name) for name in ("kind", "starts_at", "ends_at", "repeat", "repeat_until",
                                                           "image", "image_alt_fi", "publish_until")},
                     publish_from=data.get("publish_from") or timezone.now())
        try:
            services.item_check(probe)
        except forms.ValidationError as error:
            for name, errors in error.error_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, errors)
        return data

    def writer_library(self):
        if "writing_as" in self.fields:
            return self.cleaned_data.get("writing_as")
        return self.instance.library

    def chosen_libraries(self):
        return list(self.cleaned_data.get("libraries") or ())

    def chosen_all_of_louna(self) -> bool:
        return bool(self.cleaned_data.get("all_of_louna"))
