from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consortium.models import CooperationArea

from .models import Block, Issue, Item


def area_label(area: CooperationArea) -> str:
    return f"{area.name} ({area.description})" if area.description else area.name


class AreaChoiceField(forms.ModelChoiceField):
    """The audience of an item or a part: every member, or the libraries of one area."""

    def __init__(self, **kwargs):
        super().__init__(queryset=CooperationArea.objects.all(), required=False, blank=True,
                         empty_label=_("All members"), widget=forms.RadioSelect, label=_("Audience"), **kwargs)

    def label_from_instance(self, obj):
        return _("%(area)s – only the libraries of this area") % {"area": area_label(obj)}


class AreasChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return area_label(obj)


class ItemForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    area = AreaChoiceField()

    class Meta:
        model = Item
        fields = ["title_fi", "body_fi", "title_sv", "body_sv", "link", "image", "image_alt", "area"]
        widgets = {"body_fi": forms.Textarea(attrs={"rows": 8}), "body_sv": forms.Textarea(attrs={"rows": 5})}
        labels = {"title_fi": _("Title"), "body_fi": _("Text"), "title_sv": _("Title in Swedish (optional)"),
                  "body_sv": _("Text in Swedish (optional)")}
        help_texts = {"body_fi": _("Markdown: *italic*, **bold**, [link](https://…), lists.")}


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["subject_fi", "intro_fi", "subject_sv", "intro_sv", "subject_en", "intro_en"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ("intro_fi", "intro_sv", "intro_en")}
        labels = {"subject_fi": _("Subject"), "intro_fi": _("Introduction"), "subject_sv": _("Subject in Swedish"),
                  "intro_sv": _("Introduction in Swedish")}
        help_texts = {"subject_sv": _("Leave empty if the issue has no Swedish version: Swedish-speaking "
                                      "subscribers then get the Finnish one."),
                      "subject_en": _("Leave empty if the issue has no English version.")}


class BlockForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    area = AreaChoiceField()

    class Meta:
        model = Block
        fields = ["title", "body", "title_sv", "body_sv", "title_en", "body_en", "link", "area"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}), "body_sv": forms.Textarea(attrs={"rows": 5}),
                   "body_en": forms.Textarea(attrs={"rows": 5})}


class ApproveForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send time"), input_formats=["%Y-%m-%dT%H:%M"],
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = forms.CharField(label=_("Name"), required=False, max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=settings.LANGUAGES)
    areas = AreasChoiceField(
        label=_("I work in a library of a cooperation area"), queryset=CooperationArea.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You then also get the parts of the newsletter meant for that area's libraries."))
    consent = forms.BooleanField(label=_("I want to receive the consortium's newsletter by e-mail. I can leave "
                                         "at any time with the link in every newsletter."))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=settings.LANGUAGES)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    basis = forms.CharField(label=_("How did these people consent?"), max_length=200, help_text=_(
        "E.g. “signed up on the paper list at the training day 12.11.2026”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        slugs = ", ".join(CooperationArea.objects.order_by("slug").values_list("slug", flat=True)) or "–"
        self.fields["file"].help_text = _(
            "Columns: e-mail, name, language (fi, sv or en), cooperation areas (their identifiers, separated by "
            "spaces; empty for none; the identifiers are: %(areas)s). A header row is allowed; commas or "
            "semicolons.") % {"areas": slugs}
