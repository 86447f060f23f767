from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .csvimport import MAX_BYTES
from .models import Metric, Service, StatsImport


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
    kind = forms.ChoiceField(label=_("The file contains"),
                             choices=[c for c in StatsImport.Kind.choices if c[0] != StatsImport.Kind.COUNTER],
                             widget=forms.RadioSelect, initial=StatsImport.Kind.SERVICE_POINTS)
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.xlsx,text/csv,text/plain"}),
    )
    service = forms.ModelChoiceField(
        label=_("Web site"), required=False, queryset=Service.objects.none(),
        help_text=_("Only for a web analytics export of one site, whose rows do not name the site."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(kind=Service.Kind.WEB, is_active=True)
        # Formatted here, in the request's language (a lazy text formatted at import would not be).
        self.fields["file"].help_text = gettext(
            "Save the sheet from Excel as “CSV (semicolon separated)”. UTF-8 or Windows-1252; at most %(max)d MB. "
            "The first row names the columns. A web analytics export is read as Matomo writes it.") % {
            "max": MAX_BYTES // 2**20}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(gettext("The file is larger than %(max)d MB.") % {"max": MAX_BYTES // 2**20})
        return upload


class EMaterialYearForm(forms.Form):
    """An e-material service's titles and acquisitions for the year, typed in."""

    service = forms.ModelChoiceField(label=_("E-material service"), queryset=Service.objects.none())
    ematerial_titles = forms.IntegerField(label=_("Titles"), min_value=0, required=False)
    ematerial_acquisition_euros = forms.DecimalField(label=_("Acquisitions (euros)"), min_value=0, max_digits=14,
                                                     decimal_places=2, required=False, localize=True)
    ematerial_acquisition_items = forms.IntegerField(label=_("Acquisitions (items)"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(kind=Service.Kind.EMATERIAL, is_active=True)


class AllocationKeyForm(forms.Form):
    """How one shared figure is split; with agreed shares, one whole number per municipality
    (fields share_<municipality id>, labelled with the municipality's name)."""

    method = forms.ChoiceField(label=_("Split by"), widget=forms.RadioSelect)

    def __init__(self, *args, municipalities=(), key=None, **kwargs):
        from .models import AllocationKey, SplitMethod

        initial = kwargs.setdefault("initial", {})
        initial.setdefault("method", key.method if key else SplitMethod.POPULATION)
        for municipality in municipalities:
            if key and str(municipality.pk) in key.agreed_shares:
                initial.setdefault(f"share_{municipality.pk}", key.agreed_shares[str(municipality.pk)])
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = AllocationKey.CHOICES
        self.municipality_ids = []
        for municipality in municipalities:
            self.fields[f"share_{municipality.pk}"] = forms.IntegerField(
                label=municipality.name, required=False, min_value=0, max_value=10**9,
                help_text=gettext("Only for agreed shares."))
            self.municipality_ids.append(municipality.pk)

    def agreed_shares(self) -> dict:
        return {pk: self.cleaned_data.get(f"share_{pk}") for pk in self.municipality_ids}


class CounterImportForm(forms.Form):
    """A COUNTER R5/R5.1 report to check. The report and release are asked only for a tabular
    file that has lost its header block (the reader refuses such a file otherwise)."""

    file = forms.FileField(
        label=_("COUNTER report"),
        widget=forms.ClearableFileInput(attrs={"accept": ".tsv,.csv,.xlsx,.json,text/csv,text/plain,application/json"}))
    report_id = forms.ChoiceField(label=_("Report, if the file has no header block"), required=False)
    release = forms.ChoiceField(label=_("Release, if the file has no header block"), required=False,
                                choices=[("", "–"), ("5", "5"), ("5.1", "5.1")])

    def __init__(self, *args, **kwargs):
        from .counter import REPORT_IDS

        super().__init__(*args, **kwargs)
        self.fields["report_id"].choices = [("", "–"), *((report, report) for report in sorted(REPORT_IDS))]
        self.fields["file"].help_text = gettext(
            "Tabular (TSV, CSV or .xlsx with the standard header block) or JSON, Release 5 or 5.1; at most "
            "%(max)d MB. A report of the same report, institution and platform already imported is replaced "
            "in the months both cover: the preview shows what changes.") % {"max": MAX_BYTES // 2**20}

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("report_id")) != bool(cleaned.get("release")):
            raise forms.ValidationError(gettext("Give both the report and the release, or neither."))
        return cleaned


class ServiceForm(forms.Form):
    """A web site or an e-material service (stats/service_registry.py saves it)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(label=pgettext_lazy("identifier", "Code"), max_length=40,
                           help_text=_("Short, without spaces (letters, digits, hyphens); an import file may name "
                                       "the service by it."))
    kind = forms.ChoiceField(label=_("Type"), choices=Service.Kind.choices, widget=forms.RadioSelect)
    matomo_site = forms.CharField(label=_("Matomo site id or name"), max_length=120, required=False,
                                  help_text=_("Web sites only: how the web analytics export names the site."))
    feeds = forms.ModelChoiceField(label=_("Shared figure it feeds"), required=False, queryset=Metric.objects.none(),
                                   help_text=_("Web sites only: the year's visits are also split among the "
                                               "municipalities as this shared figure."))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True,
                                   help_text=_("A service no longer in use keeps its figures but is not offered "
                                               "or recognised in new imports."))
    counter_platforms = forms.CharField(
        label=_("COUNTER platforms"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E-material services only: the platform names the service's COUNTER reports give (their "
                    "Platform column), one a line. The uses of these platforms are the service's."))

    def __init__(self, *args, service: Service | None = None, **kwargs):
        if service is not None:
            kwargs.setdefault("initial", {
                "name": service.name, "code": service.code, "kind": service.kind, "matomo_site": service.matomo_site,
                "feeds": service.feeds_id, "is_active": service.is_active,
                "counter_platforms": "\n".join(service.counter_platforms.values_list("name", flat=True))})
        super().__init__(*args, **kwargs)
        self.fields["feeds"].queryset = Metric.objects.filter(is_shared=True).order_by("code")

    def clean_counter_platforms(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["counter_platforms"].splitlines() if line.strip()]
