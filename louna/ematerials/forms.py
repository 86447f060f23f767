from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.forms import DateInput
from consortium.numbers import parse_euros

from .models import Budget, EMaterialService, Order


class EuroInput(forms.CharField):
    """Euros as Finns type them (12 500,50), cleaned to a Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return parse_euros(value)
        except ValueError:
            raise forms.ValidationError(_("Give an amount of euros, e.g. 12 500,00.")) from None


class PrincipleForm(forms.Form):
    text = forms.CharField(label=_("Principles"), widget=forms.Textarea(attrs={"rows": 8}))
    decision = forms.ModelChoiceField(label=_("Adopted by the decision"), queryset=None,
                                      help_text=_("The directors' meeting decision that adopted these principles."))

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda decision: (
            f"{decision.meeting.starts_at:%-d.%-m.%Y}: {decision.text[:90]}")


class BudgetForm(forms.Form):
    service = forms.ModelChoiceField(label=_("E-material service"), queryset=EMaterialService.objects.all())
    amount = EuroInput(label=_("Budget (€)"))
    key = forms.ChoiceField(label=_("Cost shared"), choices=Budget.Key.choices)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = municipalities
        for municipality in municipalities:
            self.fields[f"share_{municipality.pk}"] = forms.IntegerField(
                label=_("Agreed share of %(municipality)s") % {"municipality": municipality}, required=False,
                min_value=0, help_text=_("Used when the cost is shared by agreed shares, e.g. per cent."))

    def shares(self) -> dict:
        return {str(m.pk): self.cleaned_data.get(f"share_{m.pk}") for m in self.municipalities
                if self.cleaned_data.get(f"share_{m.pk}") is not None}


class OrderForm(forms.Form):
    budget = forms.ModelChoiceField(label=_("Service and budget"), queryset=None)
    principle = forms.ModelChoiceField(label=_("Following the principles"), queryset=None)
    titles = forms.CharField(label=_("Titles or package"), widget=forms.Textarea(attrs={"rows": 3}))
    title_count = forms.IntegerField(label=_("Number of titles"), min_value=1, initial=1)
    licence_model = forms.ChoiceField(label=_("Licence model"), choices=Order.LicenceModel.choices)
    licences = forms.IntegerField(label=_("Licences"), min_value=1, initial=1)
    price = EuroInput(label=_("Price (€)"))
    ordered_on = forms.DateField(label=_("Ordered on"), widget=DateInput())
    vendor_reference = forms.CharField(label=_("Vendor's reference"), max_length=100, required=False)
    allow_over_budget = forms.BooleanField(label=_("Record it even if it takes the budget over"), required=False)

    def __init__(self, *args, budgets, principles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = budgets
        self.fields["principle"].queryset = principles


class AdvanceForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=[
        (state, label) for state, label in Order.State.choices if state != Order.State.ORDERED])
    on = forms.DateField(label=_("Date"), widget=DateInput())


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Order or invoice file (CSV or Excel)"),
                           help_text=_("Columns: palvelu, nimekkeet, nimekkeitä, lisenssimalli, lisenssejä, hinta, "
                                       "tilattu, viite. One order a row."))


class ConfirmImportForm(forms.Form):
    allow_over_budget = forms.BooleanField(label=_("Import even if a budget goes over"), required=False)
