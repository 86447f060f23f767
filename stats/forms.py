from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .csvimport import MAX_BYTES
from .models import StatsImport


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000)

    def __init__(self, *args, today=None, **kwargs):
        # The year being reported is usually last year: OKM collects it early in the next.
        today = today or timezone.localdate()
        kwargs.setdefault("initial", {}).setdefault("year", today.year - 1)
        super().__init__(*args, **kwargs)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file contains"), choices=StatsImport.Kind.choices[:2],
                             widget=forms.RadioSelect, initial=StatsImport.Kind.SERVICE_POINTS)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Save the sheet from Excel as “CSV (semicolon separated)”. UTF-8 or Windows-1252; "
                    "at most 2 MB. The first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
