import uuid
from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import Library, Role, ServicePoint, ServicePointExternalId, User


class DateInput(forms.DateInput):
    """A date typed as Finns write it, 4.11.2026 (ISO 2026-11-04 is accepted too). Not the
    browser's date field: Chromium shows that as 04.11.2026, zero-padded, and each browser
    differently."""

    input_type = "text"

    def __init__(self, attrs=None, **kwargs):
        attrs = {"placeholder": _("d.m.yyyy"), "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, **kwargs)

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value.day}.{value.month}.{value.year}"
        return super().format_value(value)


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": _("The e-mail address or password is wrong. Note that the password is case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, except that the mail is queued in the outbox (the page does not
    wait on the mail server) and goes out in the recipient's own language (not in the
    language of the page it was asked from), like the portal's other mail; and an invited
    person who has not set a password yet (their invitation lost or expired) gets a link
    too: Django skips accounts without a usable password, which here are only those."""

    def get_users(self, email):
        email = (email or "").strip()
        return (user for user in User._default_manager.filter(email__iexact=email, is_active=True)
                if user.email.casefold() == email.casefold())

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from .services import password_reset_mail_queue

        password_reset_mail_queue(user=context["user"], context=context)


class LibraryForm(forms.ModelForm):
    class Meta:
        model = Library
        fields = ["name", "municipality", "member_since", "is_active", "email", "cooperation_areas"]
        widgets = {"member_since": DateInput(), "cooperation_areas": forms.CheckboxSelectMultiple}


EXTERNAL_SOURCES = [
    ServicePointExternalId.Source.KIRKANTA,
    ServicePointExternalId.Source.MIKROMARC,
    ServicePointExternalId.Source.QURIA,
]


class ServicePointForm(forms.ModelForm):
    """A service point with one field per outside system's id."""

    class Meta:
        model = ServicePoint
        fields = ["name", "kind", "address", "opened_on", "closed_on"]
        widgets = {"opened_on": DateInput(), "closed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {}
        if self.instance.pk:
            existing = {ext.source: ext.value for ext in self.instance.external_ids.all()}
        for source in EXTERNAL_SOURCES:
            self.fields[f"id_{source}"] = forms.CharField(
                label=_("Id in %(system)s") % {"system": source.label}, required=False, max_length=100,
                initial=existing.get(source.value, ""),
            )

    def clean(self):
        cleaned = super().clean()
        opened, closed = cleaned.get("opened_on"), cleaned.get("closed_on")
        if opened and closed and closed < opened:
            self.add_error("closed_on", _("A service point cannot close before it opens."))
        return cleaned

    def external_ids(self) -> dict[str, str]:
        return {source.value: self.cleaned_data.get(f"id_{source}", "") for source in EXTERNAL_SOURCES}


class InviteForm(forms.Form):
    # A new id each time the page is shown: pressing the button twice sends one invitation,
    # inviting the same person again later (a lost link) sends a fresh one.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    library = forms.ModelChoiceField(
        label=_("Library"), queryset=Library.objects.active(), required=False,
        help_text=_("Required for directors and contacts."),
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="fi")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    library = forms.ModelChoiceField(label=_("Library"), queryset=Library.objects.active(), required=False)


class PersonForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "title", "phone", "language", "is_active"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "title", "phone", "language"]


def add_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the form: on the named field where the form has
    it, otherwise at the top of the form, so no message is lost."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
