"""Figures per web site or e-material service (ServiceFigure), under the same rules as the
other imports: the whole file is checked first, every refused row is named, nothing is
saved until the person confirms a clean file, figures given again replace those in force
(kept, so a revert restores them), the same file twice is refused by its hash.

Two kinds of file:

- **Web visits straight from Matomo's own export** (kind `web_visits`). Matomo's CSV
  renderer writes UTF-16LE with a byte order mark (FF FE), a comma between columns (its TSV
  export a tab), "\\n" between rows and a header row. Exported for a range of periods the
  first column is the period (`date`, "Date" when the column names are translated; "2024-01"
  for a month, "2024-01-15" for a day); the visits are `nb_visits` ("Visits", "Käynnit",
  "Besök"); an export of several sites names the site in `label` ("Label") or `idSite`.
  Days add up to their month. A site is a Service of kind web, found by its Matomo site id
  or name, its name or its code; an export of one site has no site column and the person
  names the site. A web site that feeds a shared figure (Finna, Lounakirjailijat) also has
  its year's total split among the municipalities by population, as the shared-services
  file does, so the municipalities' figures follow the import.
- **An e-material vendor's own figures** (kind `ematerial`), for services without a COUNTER
  report: `Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl` (CSV from
  Finnish Excel or .xlsx). A row with a month (1–12 or 2024-01) gives that month's loans;
  a row without one gives the year's titles and acquisitions (and loans, if the vendor
  reports the year only). E-book and e-audiobook loans are stored as loans as the vendor
  reports them; COUNTER's Total_Item_Requests never become loans."""

import codecs
import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Municipality
from consortium.templatetags.portal import number
from consortium.uploads import decode_csv_text

from . import csvimport
from .allocation import allocate
from .counteruses import ROW_COLUMNS, CounterUses, counter_rows, counter_uses_from
from .csvimport import ParsedFile, RowError, _norm, parse_count
from .metrics import SERVICE_FEEDS, service_metrics_ensure
from .models import (
    ColumnMapping,
    Metric,
    Service,
    ServiceFigure,
    StatisticsYear,
    StatsImport,
)
from .selectors import louna_locks, metric_set_codes

__all__ = ("ServiceRow", "ServiceFile", "parse_matomo", "parse_vendor", "service_import_prepare",
           "service_import_save", "service_figures_write", "service_year_totals", "service_shared_splits", "USES",
           "ematerial_year_enter")

VISITS = "web_visits"
LOANS, TITLES, EUROS, ITEMS = ("ematerial_loans", "ematerial_titles", "ematerial_acquisition_euros",
                               "ematerial_acquisition_items")
YEAR_ONLY = (TITLES, EUROS, ITEMS)


@dataclass
class ServiceRow:
    row: int  # the first row of the file it came from (days add up into one month)
    service: Service
    metric: str
    month: int  # 0: the whole year
    value: Decimal

    def cells(self) -> list:
        # Grouped as every other figure on the pages (30 001, 1 234,50): the preview shows these.
        decimals = 0 if self.value == self.value.to_integral_value() else 2
        return [self.row, self.service.name, self.metric_label, self.month or _("whole year"),
                number(self.value, decimals)]

    @property
    def metric_label(self) -> str:
        return str(_metric_labels().get(self.metric, self.metric))


def _plain(value: Decimal) -> str:
    """1234 or 1234,50 as Finnish readers write it (JSON keeps it as text)."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.2f}".replace(".", ",")


def _metric_labels() -> dict:
    return {metric.code: metric.name for metric in Metric.objects.filter(level=Metric.Level.SERVICE)}


@dataclass
class ServiceFile(ParsedFile):
    year: int = 0
    splits: list = None  # (metric label, total, [(municipality, part)]) for the preview

    def preview_columns(self) -> list:
        return [_("Row"), _("Web or e-material service"), _("Figure"), _("Month"), _("Value")]


# ---------------------------------------------------------------- reading the text


def _decode(data: bytes, parsed: ServiceFile) -> str | None:
    """Matomo's UTF-16 with its byte order mark, or what Finnish Excel writes."""
    for bom, codec, name in ((codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
                             (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE")):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                parsed.errors.append(RowError(0, "", _("The file says it is UTF-16 text but is not.")))
                return None
            parsed.encoding = name
            return text
    try:
        text, parsed.encoding = decode_csv_text(data)
    except UnicodeDecodeError:
        parsed.errors.append(RowError(0, "", _("The file is neither UTF-8, UTF-16 nor Windows-1252 text.")))
        return None
    if "\x00" in text:
        parsed.errors.append(RowError(0, "", _("The file is not a text file.")))
        return None
    return text


def _lines(text: str, parsed: ServiceFile) -> list | None:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ("," if first.count(",") >= first.count(";") else ";")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error:
        parsed.errors.append(RowError(reader.line_num, "", _(
            "A cell is longer than %(max)s characters, or a quotation mark is left open.") % {"max": "131 072"}))
        return None
    if len(lines) - 1 > csvimport.MAX_ROWS:
        parsed.errors.append(RowError(0, "", _("The file has more than %(max)d rows.") % {"max": csvimport.MAX_ROWS}))
        return None
    return lines


def _columns(header: list[str], known: dict, *, unknown: list | None = None) -> dict:
    """Column index by field; with `unknown` given, the indexes of the other columns (an
    empty header cell aside) are added to it."""
    columns = {}
    for index, name in enumerate(header):
        key = _norm(name)
        for field_name, names in known.items():
            if key in names and field_name not in columns:
                columns[field_name] = index
                break
        else:
            if unknown is not None and name.strip():
                unknown.append(index)
    return columns


def _mapped(source: str, known: dict) -> dict:
    """The built-in column names plus the source's ColumnMapping rows (a new export format
    is data, not code)."""
    known = {name: set(names) for name, names in known.items()}
    # Rows saved before the admin lower-cased the source may be "Vendor": matched as the
    # service-point files match theirs, without regard to case.
    for column, code in (ColumnMapping.objects.filter(source__iexact=source, metric__level=Metric.Level.SERVICE)
                         .values_list("column", "metric__code")):
        known.setdefault(code, set()).add(_norm(column))
    return known


class _ServiceFinder:
    """Services of one kind by their code, name or (web sites) Matomo id or name; one query."""

    def __init__(self, kind: str):
        self.by_key = {}
        for service in Service.objects.filter(kind=kind, is_active=True).select_related("feeds"):
            for key in (service.code, service.name, service.matomo_site):
                if key:
                    self.by_key.setdefault(_norm(key), service)

    def find(self, text: str) -> Service | None:
        return self.by_key.get(_norm(text))


def _cell(line, index) -> str:
    return line[index].strip() if index is not None and index < len(line) else ""


# ---------------------------------------------------------------- Matomo


MATOMO_COLUMNS = {
    "date": {"date", "päivämäärä", "paivamaara", "datum", "period", "ajanjakso", "jakso"},
    "site": {"label", "nimike", "nimi", "etiketti", "site", "sivusto", "webbplats", "idsite", "site id", "sivuston id"},
    VISITS: {"nb_visits", "visits", "käynnit", "käyntejä", "kaynnit", "besök", "besok"},
}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_matomo(data: bytes, *, year: int, service: Service | None = None, progress=None) -> ServiceFile:
    parsed = ServiceFile(kind=StatsImport.Kind.WEB_VISITS, year=year)
    text = _decode(data, parsed)
    if text is None:
        return parsed
    if text.strip() == "No data available":  # Matomo's own answer for an empty report
        parsed.errors.append(RowError(0, "", _("The export has no data (Matomo wrote “No data available”).")))
        return parsed
    lines = _lines(text, parsed)
    if lines is None:
        return parsed
    if not lines:
        parsed.errors.append(RowError(0, "", _("The file is empty.")))
        return parsed
    columns = _columns(lines[0], _mapped("matomo", MATOMO_COLUMNS))
    if VISITS not in columns:
        parsed.errors.append(RowError(1, "nb_visits", _("The export has no visits column (nb_visits or Visits); "
                                                        "export the Visits overview or All websites report.")))
    if "date" not in columns:
        parsed.errors.append(RowError(1, "date", _("The export has no date column: export the months (or days) of "
                                                   "the year as a date range, so that every row has its month.")))
    if "site" not in columns and service is None:
        parsed.errors.append(RowError(1, "label", _("The rows do not name the web site: choose the site the "
                                                    "export is for.")))
    if parsed.errors:
        return parsed
    finder = _ServiceFinder(Service.Kind.WEB)
    sums, first_row, month_rows = {}, {}, {}
    total = len(lines) - 1
    for number, line in enumerate(lines[1:], start=2):
        if progress is not None and number % csvimport.PROGRESS_EVERY == 0:
            progress(number - 1, total)
        if not any(cell.strip() for cell in line):
            continue
        ok = True
        site = service
        if "site" in columns:
            name = _cell(line, columns["site"])
            site = finder.find(name)
            if site is None:
                parsed.errors.append(RowError(number, lines[0][columns["site"]].strip(), _(
                    "No web site “%(name)s” in the statistics: add it (with its Matomo id or name) or remove the "
                    "row.") % {"name": name[:80]}))
                ok = False
        when = _cell(line, columns["date"])
        day, month = _DAY.fullmatch(when), _MONTH.fullmatch(when)
        found = day or month
        if not found:
            parsed.errors.append(RowError(number, lines[0][columns["date"]].strip(), _(
                "“%(value)s” is not a month (2024-01) or a day (2024-01-15); export by month or by day.")
                % {"value": when[:40]}))
            ok = False
        elif int(found[1]) != year or not 1 <= int(found[2]) <= 12:
            parsed.errors.append(RowError(number, lines[0][columns["date"]].strip(), _(
                "%(value)s is not a month of %(year)d.") % {"value": when, "year": year}))
            ok = False
        try:
            visits = parse_count(_cell(line, columns[VISITS]))
        except ValueError as error:
            parsed.errors.append(RowError(number, lines[0][columns[VISITS]].strip(), str(error)))
            ok = False
        if not ok:
            continue
        key = (site.pk, int(found[2]))
        if month and key in month_rows:
            parsed.errors.append(RowError(number, lines[0][columns["date"]].strip(), _(
                "%(site)s %(month)s is already on row %(row)d.") % {"site": site.name, "month": when,
                                                                     "row": month_rows[key]}))
            continue
        if month:
            month_rows[key] = number
        sums[key] = sums.get(key, 0) + visits
        first_row.setdefault(key, (number, site))
    parsed.rows = [ServiceRow(row=first_row[key][0], service=first_row[key][1], metric=VISITS, month=key[1],
                              value=Decimal(value)) for key, value in sorted(sums.items(), key=lambda i: first_row[i[0]][0])]
    return parsed


# ---------------------------------------------------------------- e-material vendors


VENDOR_COLUMNS = {
    "service": {"palvelu", "eaineistopalvelu", "eaineisto", "service", "tjänst", "tjanst"},
    "month": {"kuukausi", "kk", "month", "månad", "manad"},
    LOANS: {"lainat", "lainaus", "lainauskerrat", "loans", "lån", "lan"},
    TITLES: {"nimekkeet", "nimekkeitä", "nimekkeiden määrä", "titles", "titlar"},
    EUROS: {"hankinnat euroa", "hankinnat eur", "hankinnat", "euroa", "acquisitions euros", "förvärv euro"},
    ITEMS: {"hankinnat kpl", "hankitut kpl", "acquisitions items", "förvärv st"},
}
_VENDOR_MONTH = re.compile(r"(?:(\d{4})-(\d{1,2}))|(?:(\d{1,2})(?:[/.](\d{4}))?)")


def _euros(text: str) -> Decimal | None:
    """A sum of money as Finnish Excel writes it: '1 234,50', '1234.5', '1 234 €'."""
    value = re.sub(r"[\s\u00a0\u202f€]|EUR", "", text or "", flags=re.IGNORECASE)
    if not value:
        return None
    if value.startswith(("-", "\u2212")):
        raise ValueError(_("The number must not be negative."))
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a sum of euros.") % {"value": text.strip()[:40]}) from None
    # Finite and under a trillion before the quantize: "1E30" or "NaN" would make it raise.
    if not amount.is_finite() or amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("“%(value)s” is not a sum of euros.") % {"value": text.strip()[:40]})
    return amount


def parse_vendor(data: bytes, *, year: int, progress=None) -> ServiceFile:
    parsed = ServiceFile(kind=StatsImport.Kind.EMATERIAL, year=year)
    lines = csvimport._read_rows(data, parsed)
    if lines is None:
        return parsed
    labels = {code: name for code, name in _metric_labels().items()}
    known, unknown = _mapped("vendor", VENDOR_COLUMNS), []
    columns = _columns(lines[0], known, unknown=unknown)
    # A column the import does not know is refused by name rather than left out: a vendor's
    # "Kuuntelut" beside "Lainat" would otherwise vanish from the figures unseen.
    known_names = {name for names in known.values() for name in names}
    for index in unknown:
        name = lines[0][index].strip()
        if _norm(name) in known_names:
            message = _("Another column of the header row already gives this; remove one of them.")
        else:
            message = _("Unknown column. Map it to a figure in the column mappings (source “vendor”), or remove "
                        "the column.")
        parsed.errors.append(RowError(1, name[:40], message))
    if "service" not in columns:
        parsed.errors.append(RowError(1, _("Service"), _("The header row needs a column “Palvelu” (the "
                                                         "e-material service).")))
    values = [code for code in (LOANS, *YEAR_ONLY) if code in columns]
    if not values:
        parsed.errors.append(RowError(1, "", _("The header row has none of the columns Lainat, Nimekkeet, "
                                               "Hankinnat euroa, Hankinnat kpl.")))
    if parsed.errors:
        return parsed
    finder = _ServiceFinder(Service.Kind.EMATERIAL)
    seen, rows = {}, []
    total = len(lines) - 1
    for number, line in csvimport._data_lines(lines):
        if progress is not None and number % csvimport.PROGRESS_EVERY == 0:
            progress(number - 1, total)
        name = _cell(line, columns["service"])
        service = finder.find(name)
        if service is None:
            parsed.errors.append(RowError(number, lines[0][columns["service"]].strip(), _(
                "No e-material service “%(name)s” in the statistics.") % {"name": name[:80]}))
            continue
        month, text = 0, _cell(line, columns.get("month"))
        if text:
            found = _VENDOR_MONTH.fullmatch(text)
            month_text, year_text = (found[2], found[1]) if found and found[1] else (
                (found[3], found[4]) if found else (None, None))
            if not month_text or not 1 <= int(month_text) <= 12 or (year_text and int(year_text) != year):
                parsed.errors.append(RowError(number, lines[0][columns["month"]].strip(), _(
                    "“%(value)s” is not a month of %(year)d (1–12 or %(year)d-01).") % {"value": text[:20], "year": year}))
                continue
            month = int(month_text)
        for code in values:
            cell = _cell(line, columns[code])
            try:
                value = _euros(cell) if code == EUROS else parse_count(cell, required=False)
            except ValueError as error:
                parsed.errors.append(RowError(number, lines[0][columns[code]].strip(), str(error)))
                continue
            if value is None:
                continue
            if month and code in YEAR_ONLY:
                parsed.errors.append(RowError(number, lines[0][columns[code]].strip(), _(
                    "Titles and acquisitions are given for the whole year: leave the month empty on their row.")))
                continue
            key = (service.pk, code, month)
            if key in seen:
                parsed.errors.append(RowError(number, lines[0][columns[code]].strip(), _(
                    "%(service)s: this figure is already on row %(row)d.") % {"service": service.name, "row": seen[key]}))
                continue
            seen[key] = number
            rows.append(ServiceRow(row=number, service=service, metric=code, month=month, value=Decimal(value)))
    # A year's loans beside its months would count them twice.
    monthly = {(row.service.pk) for row in rows if row.metric == LOANS and row.month}
    for row in rows:
        if row.metric == LOANS and not row.month and row.service.pk in monthly:
            parsed.errors.append(RowError(row.row, labels.get(LOANS, LOANS), _(
                "%(service)s has monthly loans in the file: give the loans per month or for the year, not both.")
                % {"service": row.service.name}))
    parsed.rows = rows
    return parsed


# ---------------------------------------------------------------- preview and save


def _in_force(statistics_year_id, rows):
    keys = {(row.service.pk, row.metric, row.month) for row in rows}
    metrics = service_metrics_ensure()
    current = {}
    for figure in ServiceFigure.objects.filter(
            statistics_year_id=statistics_year_id, replaced_by__isnull=True,
            service_id__in={key[0] for key in keys}).select_related("service", "metric"):
        key = (figure.service_id, figure.metric.code, figure.month)
        if key in keys:
            current[key] = figure
    return metrics, current


def _splits(statistics_year: StatisticsYear, rows, current) -> list:
    """For every shared figure a web site in the file feeds: its year's total once the file is
    in (the months in force that the file does not give again, plus the file's), split among
    the municipalities by the key chosen for it (by population unless the coordinator chose
    another). [(metric, total, allocation, population year)]."""
    from .permissions import louna_municipality_ids
    from .services import split_key

    # A figure the year's metric set does not hold is not split: no report of the year
    # carries it (the site's own visits are imported all the same).
    year_set = metric_set_codes(year=statistics_year.year)
    fed = {row.service.feeds_id: row.service.feeds for row in rows
           if row.service.feeds_id and (year_set is None or row.service.feeds.code in year_set)}
    if not fed:
        return []
    services = list(Service.objects.filter(feeds_id__in=fed))
    new = {(row.service.pk, row.metric, row.month): row.value for row in rows}
    totals = {metric_id: Decimal(0) for metric_id in fed}
    for figure in ServiceFigure.objects.filter(statistics_year=statistics_year, replaced_by__isnull=True,
                                               service__in=services, metric__code=VISITS).select_related("service"):
        if (figure.service_id, VISITS, figure.month) not in new:
            totals[figure.service.feeds_id] += figure.value
    for (service_id, metric, _month), value in new.items():
        service = next((s for s in services if s.pk == service_id), None)
        if service is not None and metric == VISITS:
            totals[service.feeds_id] += value
    municipality_ids = sorted(louna_municipality_ids())
    splits = []
    for metric_id, total in sorted(totals.items()):
        method, weights, population_year = split_key(year=statistics_year.year, metric=fed[metric_id].code,
                                                     municipality_ids=municipality_ids)
        splits.append((fed[metric_id], int(total), allocate(total=int(total), key=method, members=municipality_ids,
                                                            weights=weights), population_year))
    return splits


def service_import_prepare(*, year: int, kind: str, data: bytes, service=None, progress=None) -> ServiceFile:
    """Read and check a web-visits or vendor file and list what it would change: the preview."""
    from .services import file_hash, statistics_year_open

    if kind == StatsImport.Kind.WEB_VISITS:
        parsed = parse_matomo(data, year=year, service=service, progress=progress)
    else:
        parsed = parse_vendor(data, year=year, progress=progress)
    parsed.sha256 = file_hash(data)
    earlier = (StatsImport.objects.filter(statistics_year__year=year, sha256=parsed.sha256, reverted_at__isnull=True)
               .order_by("-imported_at").first())
    if earlier is not None:
        parsed.errors.append(RowError(0, "", _(
            "This file was already imported on %(date)s (%(name)s); revert that import first to import it again.")
            % {"date": timezone.localtime(earlier.imported_at).strftime("%d.%m.%Y"), "name": earlier.file_name}))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(0, "", _("The file has a header row but no figures.")))
    if not parsed.is_valid:
        return parsed
    _refuse_locked(parsed, year=year)
    if not parsed.is_valid:
        return parsed
    statistics_year = statistics_year_open(year=year)
    _metrics, current = _in_force(statistics_year.pk, parsed.rows)
    labels = _metric_labels()
    for row in parsed.rows:
        old = current.get((row.service.pk, row.metric, row.month))
        if old is not None and old.value != row.value:
            where = f"{row.service.name} {row.month}/{year}" if row.month else f"{row.service.name} {year}"
            parsed.changes.append({"where": where, "metric": labels.get(row.metric, row.metric),
                                   "old": _plain(old.value), "new": _plain(row.value)})
    try:
        parsed.splits = _splits(statistics_year, parsed.rows, current)
    except ValidationError as error:
        parsed.errors.append(RowError(0, "", error.messages[0]))
    return parsed


def _split_among_louna(row) -> bool:
    """Whether the row's figure becomes the Louna municipalities' parts: a web site's visits
    that feed a shared figure (split at import), or an e-material service's figure the
    annual job splits (metrics.SERVICE_FEEDS)."""
    if row.metric == VISITS:
        return bool(row.service.feeds_id)
    return row.service.kind == Service.Kind.EMATERIAL and row.metric in SERVICE_FEEDS


def _refuse_locked(parsed, *, year: int) -> None:
    """A row whose figure is split among the Louna municipalities, one of which has its
    figures locked (MunicipalityLock), is refused naming the row and the municipality: a
    new total changes every part. COUNTER reports are checked by services._counter_split_locked."""
    from .services import split_locked_message

    locked, louna_locked, names = louna_locks(year=year)
    if not louna_locked:
        return
    for row in parsed.rows:
        if _split_among_louna(row):
            for municipality_id in louna_locked:
                parsed.errors.append(RowError(row.row, row.service.name, split_locked_message(
                    municipality_id=municipality_id, locked=locked, names=names, year=year)))


@transaction.atomic
def service_import_save(*, year: int, kind: str, data: bytes, file_name: str, by, service=None,
                        progress=None) -> StatsImport:
    """Save a checked web-visits or vendor file whole, or refuse it (ImportRefused)."""
    from .services import ImportRefused, _check_unlocked, figures_save, shared_total_save, statistics_year_open

    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    _check_unlocked(statistics_year)
    parsed = service_import_prepare(year=year, kind=kind, data=data, service=service, progress=progress)
    if not parsed.is_valid:
        raise ImportRefused(parsed)
    record = StatsImport.objects.create(statistics_year=statistics_year, kind=kind, file_name=file_name[:255],
                                        rows=len(parsed.rows), encoding=parsed.encoding, imported_by=by,
                                        sha256=parsed.sha256)
    replaced = service_figures_write(statistics_year=statistics_year, rows=parsed.rows, record=record)
    for metric, total, allocation, population_year in parsed.splits or []:
        shared_total_save(statistics_year=statistics_year, metric=metric.code, total=total, method=allocation.key,
                          population_year=population_year, key_inputs=allocation.inputs, record=record)
        replaced += figures_save(statistics_year=statistics_year, record=record, figures={
            (None, municipality_id, metric.code): part for municipality_id, part in allocation.parts.items()})
    record.replaced = replaced
    record.save(update_fields=["replaced"])
    statistics_year.state = StatisticsYear.State.IMPORTED
    statistics_year.save(update_fields=["state"])
    return record


def service_figures_write(*, statistics_year, rows, record) -> int:
    """Write the rows as the figures in force, marking those they replace; returns how many."""
    metrics, current = _in_force(statistics_year.pk, rows)
    ServiceFigure.objects.filter(pk__in=[figure.pk for figure in current.values()]).update(replaced_by=record)
    ServiceFigure.objects.bulk_create([
        ServiceFigure(statistics_year=statistics_year, service=row.service, metric_id=metrics[row.metric],
                      month=row.month, value=row.value, source_import=record) for row in rows], batch_size=2000)
    return len(current)


def service_year_totals(*, statistics_year, kind: str | None = None) -> dict:
    """{(service id, metric code): the year's total} of the figures in force: the months
    added up, or the year's own figure."""
    figures = ServiceFigure.objects.filter(statistics_year=statistics_year, replaced_by__isnull=True)
    if kind:
        figures = figures.filter(service__kind=kind)
    return {(row["service_id"], row["metric__code"]): row["total"] for row in figures.values(
        "service_id", "metric__code").annotate(total=Sum("value")).order_by()}


# The municipality metric kept in euros: split in whole cents.
_MONEY = SERVICE_FEEDS[EUROS]


# The municipality metric the e-material services' COUNTER uses feed (counteruses.py): the
# OKM variable "E-aineistojen käyttökerrat", which the shared-services file could only give
# typed in by hand.
USES = "ematerial_uses"


def service_shared_splits(*, statistics_year, municipality_ids, skip=()) -> tuple[dict, list, CounterUses, list]:
    """The e-material services' figures of the year as shared figures: for each municipality
    metric they feed (metrics.SERVICE_FEEDS), the year's total over all services (figures in
    force, months added up) split among `municipality_ids` by the key chosen for that
    metric now (services.split_keys: by population unless the coordinator chose another).
    Their COUNTER uses too (counteruses.py: each use once), as the figure `ematerial_uses`,
    split the same way by that figure's key. Made by the annual job, so a key changed since
    makes the next report version differ. Metrics in `skip` are not split (a figure source
    gives them: the orders are their origin).

    Returns ({metric: {"total", "key", "population_year", "inputs": {municipality id: weight},
    "parts": {municipality id: part}, "services": [(name, total)]}}, [why a figure cannot be
    split, naming the municipalities], the year's CounterUses: its unclaimed platforms are
    the completeness's, [the monthly sources lacking months: {"kind": "web" or "ematerial",
    "name", "missing_months"}]). Parts are whole numbers (euros whole cents) adding up
    exactly to the total; a service's COUNTER uses are named with the reports they came from
    ("Ellibs (COUNTER: PR)"). At most four queries, whatever the number of services: the
    vendors' figures, the web sites' visits and the COUNTER counts are read in one (a UNION
    ALL of the same columns), per service, metric and month."""
    from .services import split_keys

    # Per month, not per year: a web site's visits and a vendor's loans come by month, and a
    # source with some months and not others is named in the year's completeness. Some
    # dozen services by thirteen periods: the rows stay few.
    wanted = (Q(service__kind=Service.Kind.EMATERIAL, metric__code__in=list(SERVICE_FEEDS))
              | Q(service__kind=Service.Kind.WEB, metric__code=VISITS))
    figures = (ServiceFigure.objects.filter(wanted, statistics_year=statistics_year, replaced_by__isnull=True)
               .annotate(kind=Case(When(service__kind=Service.Kind.WEB, then=Value("w")), default=Value("f")),
                         service_name=F("service__name"), service_id_=F("service_id"), code=F("metric__code"),
                         platform_=Value(""), institution=Value(""), month_=F("month"))
               .values(*ROW_COLUMNS[:-1]).annotate(total=Sum("value"))
               .values_list(*ROW_COLUMNS).order_by())
    rows = list(figures.union(*counter_rows(year=statistics_year.year), all=True))
    counter = counter_uses_from([row for row in rows if row[0] in ("c", "p")])
    totals, months = {}, {}
    for kind, name, service_id, metric_code, _platform, _institution, month, total in rows:
        if kind not in ("f", "w"):
            continue
        if kind == "f":
            key = (metric_code, name, service_id)
            totals[key] = totals.get(key, 0) + total
        if kind == "w" or metric_code == LOANS:  # the monthly ones
            months.setdefault((kind, name, service_id), set()).add(month)
    gaps = []
    for (kind, name, _service_id), given in sorted(months.items(), key=lambda item: (item[0][1], item[0][2])):
        # Year figures only (month 0) are complete; any month given asks for all twelve.
        lacking = [month for month in range(1, 13) if month not in given] if given - {0} else []
        if lacking:
            gaps.append({"kind": "web" if kind == "w" else "ematerial", "name": name, "missing_months": lacking})
    by_metric = {}
    for metric_code, name, service_id in sorted(totals, key=lambda key: (key[1], key[2])):
        code = SERVICE_FEEDS[metric_code]
        if code not in skip:
            by_metric.setdefault(code, []).append((name, totals[metric_code, name, service_id]))
    if USES not in skip:
        for entry in sorted(counter.services.values(), key=lambda entry: entry["name"]):
            by_metric.setdefault(USES, []).append(
                (_("%(service)s (COUNTER: %(reports)s)") % {"service": entry["name"],
                                                            "reports": ", ".join(entry["sources"])},
                 Decimal(entry["total"])))
    members = sorted(municipality_ids)
    if not by_metric or not members:
        return {}, [], counter, gaps
    keys = split_keys(year=statistics_year.year, metrics=sorted(by_metric), municipality_ids=members)
    splits, errors = {}, []
    for code, per_service in sorted(by_metric.items()):
        key = keys[code]
        if isinstance(key, ValidationError):
            errors.append(key.messages[0])
            continue
        method, weights, population_year = key
        total = sum((value for _name, value in per_service), Decimal(0))
        money = code == _MONEY
        allocation = allocate(total=int(total * 100) if money else int(total), key=method,
                              members=members, weights=weights)
        splits[code] = {
            "total": total if money else int(total), "key": allocation.key, "population_year": population_year,
            "inputs": allocation.inputs,
            "parts": {pk: (Decimal(part).scaleb(-2) if money else part) for pk, part in allocation.parts.items()},
            "services": [(name, value if money else int(value)) for name, value in per_service]}
    return splits, errors, counter, gaps


@transaction.atomic
def ematerial_year_enter(*, year: int, service: Service, values: dict, by) -> StatsImport:
    """Titles and acquisitions (euros, items) of an e-material service for the year, typed in
    rather than imported: saved as an import of its own (replacing the figures in force, and
    revertable like any import). `values`: {metric code: number or None}."""
    from .services import _check_unlocked, statistics_year_open

    if service.kind != Service.Kind.EMATERIAL:
        raise ValidationError({"service": _("Choose an e-material service.")})
    given = {code: value for code, value in values.items() if code in YEAR_ONLY and value is not None}
    if not given:
        raise ValidationError(_("Give at least one of the figures."))
    if any(value < 0 for value in given.values()):
        raise ValidationError(_("The number must not be negative."))
    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    _check_unlocked(statistics_year)
    rows = [ServiceRow(row=0, service=service, metric=code, month=0, value=Decimal(value))
            for code, value in given.items()]
    locked, louna_locked, names = louna_locks(year=year)
    if louna_locked and any(_split_among_louna(row) for row in rows):
        from .services import split_locked_message

        raise ValidationError([split_locked_message(municipality_id=pk, locked=locked, names=names, year=year)
                               for pk in louna_locked])
    record = StatsImport.objects.create(statistics_year=statistics_year, kind=StatsImport.Kind.EMATERIAL,
                                        file_name=(_("Entered by hand: %(service)s") % {"service": service.name})[:255],
                                        rows=len(rows), imported_by=by)
    record.replaced = service_figures_write(statistics_year=statistics_year, rows=rows, record=record)
    record.save(update_fields=["replaced"])
    statistics_year.state = StatisticsYear.State.IMPORTED
    statistics_year.save(update_fields=["state"])
    return record
