from datetime import datetime, time

from django import forms
from django.forms.utils import from_current_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consortium.forms import DateInput

from .models import Answer, Appeal, ContractNote, FrameworkAgreement, Procurement, ProcurementDocument, State


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DeadlineField(forms.DateTimeField):
    """A moment in Finnish time. A date alone ("15.12.2026") means the end of that day:
    answers are taken until 23.59 Helsinki time, and the pages, the reminders and the
    freezing of the answers all follow the stored moment."""

    DATE_ONLY_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")
    END_OF_DAY = time(23, 59)

    def to_python(self, value):
        if isinstance(value, str):
            for date_format in self.DATE_ONLY_FORMATS:
                try:
                    day = datetime.strptime(value.strip(), date_format).date()
                except ValueError:
                    continue
                return from_current_timezone(datetime.combine(day, self.END_OF_DAY))
        return super().to_python(value)


class EuroField(forms.CharField):
    """Euros as Finns type them (12 500,50); the service parses and validates the value."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


class ProcurementForm(forms.ModelForm):
    class Meta:
        model = Procurement
        fields = ["title_fi", "title_sv", "category", "description_fi", "description_sv", "purchasing_body",
                  "body_reference", "body_contact_name", "body_contact_email", "estimated_value", "opt_in_deadline",
                  "framework_parent"]
        widgets = {"opt_in_deadline": DateTimeInput(), "description_fi": forms.Textarea(attrs={"rows": 4}),
                   "description_sv": forms.Textarea(attrs={"rows": 4})}
        labels = {"title_fi": _("Title"), "title_sv": _("Title in Swedish (optional)"),
                  "description_fi": _("Description"), "description_sv": _("Description in Swedish (optional)")}
        field_classes = {"opt_in_deadline": DeadlineField}
        help_texts = {"opt_in_deadline": _("Finnish time. A date alone means the end of that day (23.59).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opt_in_deadline"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]
        if not self.instance.pk:
            from django.utils import timezone

            from .services import purchasing_body_for

            body = purchasing_body_for(timezone.localdate())
            if body is not None and not self.initial.get("purchasing_body"):
                self.initial["purchasing_body"] = body.pk
        parents = Procurement.objects.filter(state__in=[State.AWARDED, State.IN_FORCE, State.ENDED])
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["framework_parent"].queryset = parents


class MoveForm(forms.Form):
    to_state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, procurement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [(s, State(s).label) for s in procurement.allowed_moves()]


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=ProcurementDocument.Kind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, PowerPoint or OpenDocument; at most 20 MB."))


class OptInForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), widget=forms.RadioSelect, choices=[
        (Answer.COMMITTED, _("Binding commitment: we take part")),
        (Answer.INTERESTED, _("Interested: list us as a possible later joiner, without commitment")),
        (Answer.DECLINED, _("Not taking part")),
    ])
    yearly_estimate = EuroField(label=_("Estimated yearly purchases (€)"), required=False,
                                help_text=_("Required with a binding commitment; optional with interest."))
    contact_name = forms.CharField(label=_("The library's contact person for this procurement"), max_length=150,
                                   required=False)
    contact_email = forms.EmailField(label=_("Contact person's e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact person's phone"), max_length=40, required=False)
    decision_maker = forms.CharField(label=_("Decided by"), max_length=150, required=False,
                                     help_text=_("E.g. the culture and leisure board, or the library director."))
    decision_date = forms.DateField(label=_("Date of the decision"), required=False, widget=DateInput())
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, required=False,
                                      help_text=_("E.g. § 42 or 123/2026."))
    decline_reason = forms.CharField(label=_("Reason for not taking part (optional)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                                     help_text=_("Helps the consortium plan the next procurements."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    # The parts each answer uses. The others may be hidden in the browser, so a stale or
    # mistyped value left there must not block the answer (the service drops it anyway).
    PARTS_OF_ANSWER = {
        Answer.COMMITTED: {"yearly_estimate", "contact_name", "contact_email", "contact_phone", "decision_maker",
                           "decision_date", "decision_number"},
        Answer.INTERESTED: {"yearly_estimate", "contact_name", "contact_email", "contact_phone"},
        Answer.DECLINED: {"decline_reason"},
    }
    ANSWER_PARTS = set().union(*PARTS_OF_ANSWER.values())

    def clean(self):
        cleaned = super().clean()
        used = self.PARTS_OF_ANSWER.get(cleaned.get("answer"))
        if used is not None:
            for name in self.ANSWER_PARTS - used:
                self._errors.pop(name, None)
                cleaned[name] = None if name in ("decision_date", "yearly_estimate") else ""
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms.helper import FormHelper
        from crispy_forms.layout import Field, Fieldset, Layout

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.layout = Layout(
            Field("answer"),
            # data-shown-for: the answers a part belongs to; opt-in.js hides the others' parts
            # (without JavaScript all show, and the service drops what does not belong to the
            # answer: the decision for interest, everything but the reason for not taking part).
            Fieldset(_("Taking part"), "yearly_estimate", "contact_name", "contact_email", "contact_phone",
                     css_class="border rounded p-3 mb-3", data_shown_for=f"{Answer.COMMITTED} {Answer.INTERESTED}"),
            Fieldset(_("Binding commitment"), "decision_maker", "decision_date", "decision_number",
                     css_class="border rounded p-3 mb-3", data_shown_for=Answer.COMMITTED),
            Fieldset(_("Not taking part"), "decline_reason", css_class="border rounded p-3 mb-3",
                     data_shown_for=Answer.DECLINED),
            Field("version"),
        )


class AwardForm(forms.Form):
    supplier_name = forms.CharField(label=_("Supplier"), max_length=150)
    business_id = forms.CharField(label=_("Business id"), max_length=20, required=False)
    decision_date = forms.DateField(label=_("Date of the procurement decision"), widget=DateInput())
    decision_reference = forms.CharField(label=_("Decision reference"), max_length=100, required=False)
    value = EuroField(label=_("Value (€)"), required=False)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = FrameworkAgreement
        fields = ["award", "supplier", "reference", "starts_on", "ends_on", "extension_options", "extension_months",
                  "options_used", "joining_until", "libraries"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "joining_until": DateInput(),
                   "libraries": forms.CheckboxSelectMultiple}
        labels = {"award": pgettext_lazy("procurement", "Award decision")}

    def __init__(self, *args, procurement, **kwargs):
        super().__init__(*args, **kwargs)
        from consortium.models import Library

        from .services import participating_library_ids

        self.fields["award"].queryset = procurement.awards.select_related("supplier")
        self.fields["supplier"].queryset = self.fields["supplier"].queryset.filter(awards__procurement=procurement)
        self.fields["libraries"].queryset = Library.objects.filter(pk__in=participating_library_ids(procurement))
        self.fields["libraries"].help_text = _("Only libraries that committed or were interested are listed.")


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())


class AppealForm(forms.ModelForm):
    class Meta:
        model = Appeal
        fields = ["kind", "filed_by", "filed_on", "against"]
        widgets = {"filed_on": DateInput()}


class AppealDecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=[
        (Appeal.Status.DISMISSED, Appeal.Status.DISMISSED.label),
        (Appeal.Status.UPHELD, Appeal.Status.UPHELD.label),
        (Appeal.Status.WITHDRAWN, Appeal.Status.WITHDRAWN.label),
    ])
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContractNoteForm(forms.ModelForm):
    class Meta:
        model = ContractNote
        fields = ["kind", "library", "effective_on", "text"]
        widgets = {"effective_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = agreement.libraries.all()
