"""Forms of the e-services app: they parse input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.models import Library

from .models import CRITERIA, Kind, Language, Offering, PlanItem, Proposal, Stage

DATE_INPUT = forms.DateInput(format="%d.%m.%Y")


class OfferingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=200, required=False,
                              help_text=_("Optional: Swedish-speaking readers see it instead of the Finnish name."))
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=Language.choices,
                                          widget=forms.CheckboxSelectMultiple, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    description_sv = forms.CharField(label=_("Description in Swedish"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    pricing = forms.CharField(label=_("How it is priced"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_for(cls, offering: Offering) -> dict:
        return {"name": offering.name_fi, "name_sv": offering.name_sv or "", "vendor": offering.vendor,
                "kind": offering.kind, "languages": offering.language_codes, "description": offering.description_fi,
                "description_sv": offering.description_sv or "", "pricing": offering.pricing}


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required when the offering goes back to negotiation."))
    announcement_text = forms.CharField(label=_("Announcement to members"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}),
                                        help_text=_("When offered to members; the description is used if empty."))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = choices


class TakeUpForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=Library.objects.none())
    since = forms.DateField(label=_("In use since"), widget=DATE_INPUT)
    reference = forms.CharField(label=_("Licence or contract reference"), max_length=200, required=False)

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries


class GroupForm(forms.Form):
    offering = forms.ModelChoiceField(label=_("Offering"), queryset=Offering.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Trial starts"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Trial ends"), widget=DATE_INPUT)
    libraries = forms.ModelMultipleChoiceField(label=_("Invite libraries"), queryset=Library.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, offerings, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = offerings
        self.fields["libraries"].queryset = libraries


class EvaluatorForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Evaluator"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]


class ReportForm(forms.Form):
    """Five ratings (1 = poor, 5 = excellent), free text and a recommendation."""

    text = forms.CharField(label=_("Experiences"), widget=forms.Textarea(attrs={"rows": 6}))
    recommend = forms.TypedChoiceField(label=_("Would you recommend it to other libraries?"),
                                       choices=[("yes", _("yes")), ("no", _("no"))], widget=forms.RadioSelect,
                                       coerce=lambda value: value == "yes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in reversed(CRITERIA):
            self.fields = {name: forms.TypedChoiceField(label=label, choices=RATING_CHOICES, coerce=int,
                                                        widget=forms.RadioSelect,
                                                        help_text=_("1 = poor, 5 = excellent")), **self.fields}

    def ratings(self) -> dict:
        return {name: self.cleaned_data[name] for name, _label in CRITERIA}


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}))


class ProposalForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=Library.objects.none())
    year = forms.IntegerField(label=_("For the year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    need = forms.CharField(label=_("Which need it answers"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries


class TriageForm(forms.Form):
    state = forms.ChoiceField(label=_("Decision"), choices=Proposal.State.choices)
    reason = forms.CharField(label=_("Reason shown to the proposer"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PlanItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    title_sv = forms.CharField(label=_("Title in Swedish"), max_length=200, required=False)
    aim = forms.CharField(label=_("Aim"), widget=forms.Textarea(attrs={"rows": 3}))
    aim_sv = forms.CharField(label=_("Aim in Swedish"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    theme = forms.ChoiceField(label=_("Theme"), choices=PlanItem.Theme.choices)
    schedule = forms.CharField(label=_("Schedule"), max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=PlanItem.Status.choices)
    proposals = forms.ModelMultipleChoiceField(label=_("From proposals"), queryset=Proposal.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = proposals
