"""The account form (credentials typed in, never shown back) and the period form."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortium.models import Library

from .models import REPORT_CHOICES, SECRET_FIELDS, SushiAccount

__all__ = ("AccountForm", "PeriodForm")

SECRET_LABELS = {"customer_id": _("customer id"), "requestor_id": _("requestor id"), "api_key": _("API key")}


def _formfield(field, **kwargs):
    # A vendor's address typed without a scheme is https (Django 6's default, asked now).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class AccountForm(forms.ModelForm):
    reports = forms.MultipleChoiceField(label=_("reports"), choices=REPORT_CHOICES,
                                        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = SushiAccount
        fields = ("service_name", "library", "platform", "url", "release", "reports", "active")
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = Library.objects.order_by("name")
        self.fields["library"].empty_label = _("the consortium (shared licence)")
        for name in SECRET_FIELDS:
            saved = bool(self.instance.pk and self.instance.has_secret(name))
            # A password input that never renders a value: a saved secret is not sent back.
            self.fields[name] = forms.CharField(
                label=SECRET_LABELS[name], required=(name == "customer_id" and not saved), max_length=500,
                strip=True, widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text=_("Saved; enter a new value to replace it.") if saved else _("Stored encrypted; not shown again after saving."))

    def split(self) -> tuple[dict, dict]:
        """The account's fields and the credentials typed in."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        secrets = {name: self.cleaned_data.get(name, "") for name in SECRET_FIELDS}
        return data, secrets


class PeriodForm(forms.Form):
    begin = forms.DateField(label=_("first month"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    end = forms.DateField(label=_("last month"), widget=forms.DateInput(attrs={"type": "month"}),
                          input_formats=["%Y-%m", "%Y-%m-%d"])
