from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Block, Issue, Item


class ItemForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    class Meta:
        model = Item
        fields = ["title", "body", "title_sv", "body_sv", "link", "image", "image_alt", "audience"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}), "body_sv": forms.Textarea(attrs={"rows": 5}),
                   "audience": forms.RadioSelect}


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["subject", "intro", "subject_sv", "intro_sv", "subject_en", "intro_en"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ("intro", "intro_sv", "intro_en")}
        help_texts = {"subject_sv": _("Leave empty if the issue has no Swedish version: Swedish-speaking "
                                      "subscribers then get the Finnish one."),
                      "subject_en": _("Leave empty if the issue has no English version.")}


class BlockForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    class Meta:
        model = Block
        fields = ["title", "body", "title_sv", "body_sv", "title_en", "body_en", "link", "audience"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}), "body_sv": forms.Textarea(attrs={"rows": 5}),
                   "body_en": forms.Textarea(attrs={"rows": 5}), "audience": forms.RadioSelect}


class ApproveForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send time"), input_formats=["%Y-%m-%dT%H:%M"],
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = forms.CharField(label=_("Name"), required=False, max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=settings.LANGUAGES)
    louna = forms.BooleanField(label=_("I work in a Louna library (Forssa, Humppila, Jokioinen, Tammela, Ypäjä)"),
                               required=False)
    consent = forms.BooleanField(label=_("I want to receive the consortium's newsletter by e-mail. I can leave "
                                         "at any time with the link in every newsletter."))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=settings.LANGUAGES)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: e-mail, name, language (fi, sv or en), Louna (yes/no). A header row is allowed; "
        "commas or semicolons."))
    basis = forms.CharField(label=_("How did these people consent?"), max_length=200, help_text=_(
        "E.g. “signed up on the paper list at the training day 12.11.2026”."))
