from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.forms import DateInput

from . import permissions as perms
from ..models import ServiceArea, Task
from .models import ITEM_TEXT_FIELDS, LibraryPosition, ProgrammeItem


def _field_choices():
    return [(name, ProgrammeItem._meta.get_field(name).verbose_name) for name in ITEM_TEXT_FIELDS]


class ProgrammeCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Leave empty for the usual title."))
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ProgrammeEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 8}), required=False)


class ItemForm(forms.ModelForm):
    class Meta:
        model = ProgrammeItem
        fields = ["area", "position", "title", "aim", "measures", "responsible", "schedule", "indicator",
                  "libraries"]
        widgets = {
            "title": forms.TextInput(),
            "aim": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 4}),
            "indicator": forms.Textarea(attrs={"rows": 2}),
            "libraries": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        if programme.agreement_id:
            self.fields["area"].queryset = ServiceArea.objects.filter(agreement_id=programme.agreement_id)
        else:
            self.fields["area"].queryset = ServiceArea.objects.none()
        self.fields["area"].empty_label = _("(stands alone)")
        self.fields["libraries"].queryset = perms.louna_libraries()
        self.fields["position"].required = False


class DraftFromTasksForm(forms.Form):
    tasks = forms.ModelMultipleChoiceField(label=_("Tasks of the agreement"), queryset=Task.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = Task.objects.filter(area__agreement_id=programme.agreement_id) \
            .select_related("area", "responsible").order_by("area__number", "number")
        drafted = set(programme.items.filter(from_task__isnull=False).values_list("from_task_id", flat=True))
        self.fields["tasks"].label_from_instance = lambda task: (
            f"{task.area.number}.{task.number} {task.text}" + (" ✓" if task.pk in drafted else ""))


class OpenReviewForm(forms.Form):
    deadline = forms.DateField(label=_("Review deadline"), widget=DateInput())
    note = forms.CharField(label=_("Message to the directors"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput())


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed in this version"), widget=forms.Textarea(attrs={"rows": 3}))


class FinaliseForm(forms.Form):
    note = forms.CharField(label=_("Note on the final version"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)


class NoAnswerForm(forms.Form):
    reason = forms.CharField(label=_("Why the library did not answer"), max_length=1000)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ProposalForm(forms.Form):
    field = forms.ChoiceField(label=_("Part of the item"), choices=())
    proposed_text = forms.CharField(label=_("Proposed text"), widget=forms.Textarea(attrs={"rows": 4}),
                                    required=False)
    reason = forms.CharField(label=_("Why (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _field_choices()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("accept")), ("reject", _("reject"))])
    note = forms.CharField(label=_("Answer to the proposer"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PositionForm(forms.Form):
    library = forms.IntegerField(widget=forms.HiddenInput)
    position = forms.ChoiceField(
        label=_("Your library's position"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[(LibraryPosition.Position.APPROVE, _("Approve")),
                 (LibraryPosition.Position.RESERVATIONS, _("Approve with reservations"))],
    )
    reservation = forms.CharField(label=_("Reservation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ProgressForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=ProgrammeItem.State.choices)
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ITEM_TEXT_FIELDS:
            model_field = ProgrammeItem._meta.get_field(name)
            widget = forms.TextInput() if name in ("title", "responsible", "schedule") else \
                forms.Textarea(attrs={"rows": 3})
            self.fields[name] = forms.CharField(label=model_field.verbose_name, required=name == "title",
                                                initial=getattr(item, name), widget=widget)
        self.order_fields(list(ITEM_TEXT_FIELDS) + ["reason"])


class ReportForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the year"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
