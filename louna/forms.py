from datetime import date

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from consortium.forms import DateInput
from consortium.models import Library, Municipality, Role, User
from consortium.permissions import LOUNA_AREA
from consortium.selectors import role_holders

from .models import (
    AccessibilityCheck,
    AccessibilityFinding,
    AgendaItem,
    Agreement,
    Feedback,
    Meeting,
    Milestone,
    Project,
    ServiceArea,
    Task,
    WebService,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class HttpsURLField(forms.URLField):
    """A link typed without a scheme is taken as https."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def louna_libraries():
    return Library.objects.in_area(LOUNA_AREA).select_related("municipality").order_by("name")


def louna_people():
    """People who may be responsible for Louna work: the coordinators, staff and the
    directors of Louna libraries."""
    return role_holders(roles=[Role.COORDINATOR, Role.STAFF, Role.DIRECTOR],
                        libraries=Library.objects.in_area(LOUNA_AREA)).order_by("full_name")


class AgreementForm(forms.ModelForm):
    libraries = forms.ModelMultipleChoiceField(
        label=_("Libraries served"), queryset=Library.objects.none(), widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Agreement
        fields = ["year", "title", "provider", "starts_on", "ends_on", "signed_by_provider_on",
                  "signed_by_libraries_on", "introduction"]
        widgets = {f: DateInput() for f in ("starts_on", "ends_on", "signed_by_provider_on", "signed_by_libraries_on")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = louna_libraries()
        self.fields["libraries"].queryset = louna_libraries()
        if self.instance.pk:
            self.fields["libraries"].initial = list(self.instance.libraries.values_list("pk", flat=True))
            self.fields["year"].disabled = True


class AgreementCopyForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the new agreement"), min_value=2000, max_value=2100)
    shift_years_in_texts = forms.BooleanField(
        label=_("Move the years written in the texts forward too"), required=False, initial=True,
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, OpenDocument, image or text; at most 10 MB."))


class AreaForm(forms.ModelForm):
    class Meta:
        model = ServiceArea
        fields = ["number", "title", "description"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 3})}


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["area", "number", "text", "responsible", "schedule", "due_on", "per_municipality"]
        widgets = {"due_on": DateInput(), "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = agreement.areas.order_by("number")
        self.fields["responsible"].queryset = louna_people()
        self.fields["number"].required = False


def day_in_year(today, year: int | None):
    """The date a form offers for a task of the agreement year `year`: today, or the year's
    last (first) day when today is past (before) it — a past year's task note dated today
    would be refused as outside the agreement year."""
    if year is None:
        return today
    return min(max(today, date(year, 1, 1)), date(year, 12, 31))


class TaskStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=Task.State.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label=_("Why not needed this year"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, help_text=_("Required when the task is not needed this year."))
    for_directors = forms.BooleanField(label=_("Shown to directors"), required=False, initial=True)

    def __init__(self, *args, year: int | None = None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", day_in_year(timezone.localdate(), year))
        super().__init__(*args, **kwargs)


class TaskNoteForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    for_directors = forms.BooleanField(label=_("Shown to directors"), required=False, initial=True)

    def __init__(self, *args, year: int | None = None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", day_in_year(timezone.localdate(), year))
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = HttpsURLField(label=_("Link"), required=False, max_length=500)
    file = forms.FileField(label=_("or a file"), required=False,
                           help_text=_("PDF, Word, Excel, OpenDocument, image or text; at most 10 MB."))


class MunicipalStateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=Task.State.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class BoardFilterForm(forms.Form):
    VIEW_CHOICES = [("area", _("by area")), ("state", _("by state"))]
    view = forms.ChoiceField(label=_("Group"), choices=VIEW_CHOICES, required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("all"))] + Task.State.choices, required=False)
    person = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none(), required=False,
                                    empty_label=_("everyone"))
    month = forms.TypedChoiceField(
        label=_("Due in month"), coerce=int, empty_value=None, required=False,
        choices=[("", _("any month"))] + [(m, MONTHS[m]) for m in range(1, 13)],
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(pk__in=[p.pk for p in people])
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "online_url", "chair", "proposals_close_on"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(), "proposals_close_on": DateInput()}
        field_classes = {"online_url": HttpsURLField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = louna_people()
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Matter"), max_length=200)
    description = forms.CharField(label=_("Background"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    library = forms.ModelChoiceField(label=_("On behalf of"), queryset=Library.objects.none(), required=False)

    def __init__(self, *args, libraries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if libraries is not None and len(libraries) > 1:
            self.fields["library"].queryset = Library.objects.filter(pk__in=[lib.pk for lib in libraries])
            self.fields["library"].required = True
        else:
            del self.fields["library"]


class ArrangeForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=AgendaItem.State.choices)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.filter(state=AgendaItem.State.ON_AGENDA)


class DecisionTaskForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Service area"), queryset=ServiceArea.objects.none())
    text = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none(), required=False)
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Task.Schedule.choices)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (meeting.agreement.areas.order_by("number") if meeting.agreement_id
                                        else ServiceArea.objects.none())
        self.fields["responsible"].queryset = louna_people()


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["channel", "service", "received_on", "municipality", "text", "state", "answer", "answered_on"]
        widgets = {"received_on": DateInput(), "answered_on": DateInput(), "text": forms.Textarea(attrs={"rows": 4}),
                   "answer": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(
            pk__in=louna_libraries().values("municipality_id"))
        self.fields["service"].queryset = WebService.objects.order_by("name")


class FeedbackFilterForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=WebService.objects.order_by("name"),
                                     required=False, empty_label=_("all"))
    state = forms.ChoiceField(label=_("State"), choices=[("", _("all"))] + Feedback.State.choices, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, empty_value=None, required=False,
                                   choices=[("", _("any month"))] + [(m, MONTHS[m]) for m in range(1, 13)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "year" else "form-select"


class WebServiceForm(forms.ModelForm):
    class Meta:
        model = WebService
        fields = ["name", "description", "url", "administrator", "administrator_note", "introduced_on", "is_active",
                  "receives_feedback"]
        widgets = {"introduced_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"url": HttpsURLField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administrator"].queryset = louna_people()


class CheckForm(forms.ModelForm):
    class Meta:
        model = AccessibilityCheck
        fields = ["checked_on", "checked_by", "summary", "fixed"]
        widgets = {"checked_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3}),
                   "fixed": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_by"].queryset = louna_people()


class FindingForm(forms.ModelForm):
    class Meta:
        model = AccessibilityFinding
        fields = ["criterion", "severity", "description", "fixed_on", "fix_note"]
        widgets = {"fixed_on": DateInput(), "description": forms.Textarea(attrs={"rows": 2}),
                   "fix_note": forms.Textarea(attrs={"rows": 2})}


class ProjectForm(forms.ModelForm):
    libraries = forms.ModelMultipleChoiceField(label=_("Libraries in it"), queryset=Library.objects.none(),
                                               widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Project
        fields = ["name", "aim", "funder", "starts_on", "ends_on", "budget", "state", "raised_in"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "aim": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["libraries"].queryset = louna_libraries()
        self.fields["raised_in"].queryset = Meeting.objects.select_related("agreement").order_by("-starts_at")
        if self.instance.pk:
            self.fields["libraries"].initial = list(self.instance.libraries.values_list("pk", flat=True))


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        widgets = {"due_on": DateInput(), "done_on": DateInput()}


class ProjectNoteForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
