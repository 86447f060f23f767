from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback, Training, TrainingWish


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["kind", "title_fi", "title_sv", "theme", "description_fi", "description_sv", "eservice",
                  "starts_at", "ends_at", "place_fi", "place_sv", "online_link", "capacity",
                  "registration_opens_at", "registration_deadline", "for_all_members", "libraries", "language"]
        widgets = {name: forms.DateTimeInput(attrs={"inputmode": "numeric"})
                   for name in ("starts_at", "ends_at", "registration_opens_at", "registration_deadline")}
        help_texts = {"starts_at": _("E.g. 21.11.2026 13.00")}


class RegistrationForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=None, empty_label=None)
    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))

    def __init__(self, *args, libraries, self_registration=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
        if self_registration:
            del self.fields["full_name"]
            del self.fields["email"]


class FeedbackForm(forms.ModelForm):
    rating = forms.TypedChoiceField(label=_("How useful was the training? (5 = very useful)"), coerce=int,
                                    choices=[(n, str(n)) for n in range(5, 0, -1)], widget=forms.RadioSelect)

    class Meta:
        model = Feedback
        fields = ["rating", "text"]


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label=_("To"), choices=[("registered", _("all registered")),
                                                         ("present", _("all present"))])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea)


class WishForm(forms.ModelForm):
    library = forms.ModelChoiceField(label=_("Library"), queryset=None, empty_label=None)
    staff_count = forms.IntegerField(label=_("Staff who would come"), min_value=1, max_value=500)

    class Meta:
        model = TrainingWish
        fields = ["topic", "eservice"]

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries


class SupportForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=None, empty_label=None)
    staff_count = forms.IntegerField(label=_("Staff who would come"), min_value=1, max_value=500)

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
