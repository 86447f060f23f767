"""Reading the statistics files as Finnish Excel writes them: semicolon-separated, decimal
comma, UTF-8 with a BOM or Windows-1252. Every bad row is reported with its row number
(as Excel numbers the rows: the header is row 1), the column and the reason; a file with
any error is refused whole (services.py saves nothing then).

Two kinds of file:
- service points: Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat
  (a point is found by its id in Kirkanta, Mikromarc or Quria — optionally written
  "quria:123" — or else by its name; active customers may be left empty until the vendor's
  support has sent them). A file gives the metrics it has columns for, at least one (active
  customers may come in a file of their own); the column mappings of its library system
  (ColumnMapping.source, told by the id column's name or the ids) name further columns, and
  any other column is refused by name;
- shared services: Tieto;Yhteensä;061;103;... — one row per figure (Finna visits,
  Lounakirjailijat visits, e-material count, uses, acquisitions); with the municipality
  columns empty the total is split by population share, filled they are taken as given
  (and must add up to the total).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from consortium.models import Municipality, ServicePoint, ServicePointExternalId
from consortium.permissions import LOUNA_AREA
from consortium.uploads import decode_csv_text

from .models import SERVICE_POINT_FIELDS, SharedMetric, StatsImport
from .series import joint_series

__all__ = ("RowError", "ParsedFile", "PointRow", "SharedRow", "parse_count", "parse_file",
           "MAX_BYTES", "MAX_ROWS")

# Files over settings.STATS_IMPORT_JOB_ROWS rows are read by a background job, so a
# national export (hundreds of service points, a row per month) fits these limits.
MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 100_000
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RowError:
    row: int  # 0: the file as a whole
    column: str
    message: str


@dataclass
class PointRow:
    row: int
    service_point: ServicePoint
    values: dict  # field -> int or None
    month: int = 0  # 0: the whole year


@dataclass
class SharedRow:
    row: int
    metric: str
    total: int
    given: dict | None  # municipality id -> value, or None for a population split
    # Filled in by services.import_prepare: the parts to save and how they were found.
    parts: dict = field(default_factory=dict)
    method: str = ""
    population_year: int | None = None
    part_list: list = field(default_factory=list)  # (municipality name, value) for the preview
    key_inputs: dict = field(default_factory=dict)  # the allocation key's inputs, shown beside the split

    @property
    def metric_label(self):
        return SharedMetric(self.metric).label

    @property
    def method_label(self):
        from .models import SplitMethod

        return SplitMethod(self.method).label if self.method else ""


@dataclass
class ParsedFile:
    kind: str
    encoding: str = ""
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    municipalities: list = field(default_factory=list)  # shared files: the columns, in order
    sha256: str = ""
    changes: list = field(default_factory=list)  # figures in force the file would replace

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


def _labels():
    """The column names a user sees in error messages, by field."""
    return {
        "id": _("Id"), "name": _("Service point"), "removals": _("Removals"), "acquisitions": _("Acquisitions"),
        "collection": _("Collection"), "loans": _("Loans"), "active_customers": _("Active customers"),
        "metric": _("Figure"), "total": _("Total"),
    }


# Accepted header names (compared lower-cased, without punctuation and extra spaces).
POINT_HEADERS = {
    "id": {"tunniste", "id", "kirkantaid", "kirkanta", "mikromarcid", "quriaid", "kirkanta id", "mikromarc id",
           "quria id", "palvelupisteen tunniste"},
    "name": {"palvelupiste", "toimipiste", "nimi", "service point", "name"},
    "removals": {"poistot", "poisto", "removals"},
    "acquisitions": {"hankinnat", "hankinta", "acquisitions"},
    "collection": {"kokoelma", "kokoelma 3112", "kokoelma 3112 mennessä", "collection"},
    "loans": {"lainaus", "lainaukset", "kokonaislainaus", "loans"},
    "active_customers": {"aktiiviset asiakkaat", "aktiivisia asiakkaita", "aktiiviset lainaajat", "active customers"},
}
# An id column named after its system tells whose export the file is (ColumnMapping.source).
ID_HEADER_SOURCES = {"kirkantaid": "kirkanta", "kirkanta id": "kirkanta", "kirkanta": "kirkanta",
                     "mikromarcid": "mikromarc", "mikromarc id": "mikromarc", "quriaid": "quria", "quria id": "quria"}
SHARED_HEADERS = {
    "metric": {"tieto", "palvelu", "luku", "figure", "metric"},
    "total": {"yhteensä", "yhteensa", "yht", "total", "summa"},
}
# A figure may be written as its key or its Finnish name.
METRIC_NAMES = {
    "finna_visits": {"finna", "finnaverkkokäynnit", "verkkokäynnit finna", "finna verkkokäynnit"},
    "lounakirjailijat_visits": {"lounakirjailijat", "lounakirjailijatverkkokäynnit", "verkkokäynnit lounakirjailijat",
                                "lounakirjailijat verkkokäynnit"},
    "ematerial_count": {"eaineistot lukumäärä", "eaineistojen lukumäärä", "eaineistot"},
    "ematerial_uses": {"eaineistot käyttökerrat", "eaineistojen käyttökerrat", "käyttökerrat"},
    "ematerial_acquisitions": {"eaineistot hankinnat", "eaineistojen hankinnat"},
}


def _norm(text: str) -> str:
    text = re.sub(r"[\s\u00a0]+", " ", text.strip().lower())
    return re.sub(r"[^\w ]", "", text).strip()


_SPACES = re.compile(r"[ \u00a0\u202f]")
MAX_COUNT = 2_000_000_000


def parse_count(text: str, *, required: bool = True) -> int | None:
    """A non-negative whole number as Finnish Excel writes it: '1 234', '1234', '1234,00'.
    Raises ValueError with the reason for the user."""
    # Most cells of a library-system export are plain digits: read them without the
    # normalising below (a national export has tens of thousands of cells).
    if text and text.isdigit() and text.isascii():
        number = int(text)
        if number > MAX_COUNT:
            raise ValueError(_("The number is too large."))
        return number
    value = _SPACES.sub("", text or "")
    if not value:
        if required:
            raise ValueError(_("A number is required."))
        return None
    if value.startswith("-") or value.startswith("\u2212"):
        raise ValueError(_("The number must not be negative."))
    whole, comma, fraction = value.partition(",")
    if comma and fraction.strip("0"):
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text.strip()})
    if not whole.isdigit() or not whole.isascii():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text.strip()[:40]})
    number = int(whole)
    if number > MAX_COUNT:
        raise ValueError(_("The number is too large."))
    return number


def _xlsx_cell(value) -> str:
    """A spreadsheet value as the CSV of Finnish Excel would have written it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return str(value)


def _read_xlsx(data: bytes, parsed: ParsedFile):
    """The first sheet of an .xlsx as rows of text, so both forms go through the same checks."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or disguised archive: openpyxl raises many kinds
        parsed.errors.append(RowError(0, "", _("The file is not a readable Excel workbook (.xlsx).")))
        return None
    parsed.encoding = "xlsx"
    lines = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        lines.append([_xlsx_cell(value) for value in values])
        if len(lines) - 1 > MAX_ROWS:
            break
    workbook.close()
    return lines


def _read_rows(data: bytes, parsed: ParsedFile):
    if data[:4] == b"PK\x03\x04":
        lines = _read_xlsx(data, parsed)
        if lines is None:
            return None
        return _check_lines(lines, parsed)
    try:
        text, parsed.encoding = decode_csv_text(data)
    except UnicodeDecodeError:
        parsed.errors.append(RowError(0, "", _("The file is neither UTF-8 nor Windows-1252 text.")))
        return None
    if "\x00" in text:
        parsed.errors.append(RowError(0, "", _("The file is not a text file. Save it from Excel as CSV.")))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        lines = list(reader)
    except csv.Error:
        # The csv module's field limit (131 072 characters) or an unclosed quote.
        parsed.errors.append(RowError(reader.line_num, "", _(
            "A cell is longer than %(max)s characters, or a quotation mark is left open; check the row in Excel.")
            % {"max": "131 072"}))
        return None
    return _check_lines(lines, parsed)


def _check_lines(lines, parsed: ParsedFile):
    if not lines:
        parsed.errors.append(RowError(0, "", _("The file is empty.")))
        return None
    if len(lines[0]) < 2:
        parsed.errors.append(RowError(1, "", _("The columns must be separated by semicolons (CSV from Finnish "
                                               "Excel); the header row has only one column.")))
        return None
    if len(lines) - 1 > MAX_ROWS:
        parsed.errors.append(RowError(0, "", _("The file has more than %(max)d rows.") % {"max": MAX_ROWS}))
        return None
    return lines


def _map_header(header: list[str], known: dict) -> tuple[dict, list[int]]:
    """Column index by field; and the indexes of columns not recognised."""
    columns, unknown = {}, []
    for index, name in enumerate(header):
        key = _norm(name)
        for field_name, names in known.items():
            if key in names and field_name not in columns:
                columns[field_name] = index
                break
        else:
            unknown.append(index)
    return columns, unknown


def _cell(line, index):
    if index is None or index >= len(line):
        return ""
    return line[index].strip()


def _data_lines(lines):
    """(row number, cells) of the rows that have something in them: Excel often leaves
    lines of bare semicolons at the end."""
    for number, line in enumerate(lines[1:], start=2):
        if "".join(line).strip():
            yield number, line


# ---------------------------------------------------------------- service point figures


class _PointFinder:
    """Finds the service points of the municipalities whose figures the importer brings (the
    Louna coordinator: Louna's; staff: every member's) by external id or name, with two
    queries for the file."""

    def __init__(self, municipality_ids=None, system: str | None = None, column: str | None = None):
        from .permissions import member_municipality_ids, statistics_libraries

        # The system whose ids an id column named after it (or mapped as its) holds: an id
        # written without "system:" is looked up there only.
        self.system = system

        self.labels = _labels()  # once per file, not per row (a national export has thousands)
        # A refusal names the id column as the file has it when that is a system's own
        # ("Quria id", a mapped "Toimipisteen nro"): the user would look for "Tunniste" in vain.
        self.column = column or self.labels["id"]
        if municipality_ids is None:
            municipality_ids = member_municipality_ids()
        points = {p.pk: p for p in ServicePoint.objects.filter(
            library__in=statistics_libraries(), library__municipality_id__in=list(municipality_ids))
            .select_related("library__municipality")}
        self.by_name = {}
        for point in points.values():
            self.by_name.setdefault(_norm(point.name), []).append(point)
        self.by_id = {}
        for source, value, point_id in ServicePointExternalId.objects.values_list("source", "value", "service_point_id"):
            self.by_id.setdefault(value.strip().lower(), []).append((source, points.get(point_id)))
        self._found = {}

    def find(self, identifier: str, name: str):
        """(service point, None) or (None, (column, message)). A national export names each
        point on twelve rows (a row per month): the answer is worked out once per id."""
        key = (identifier, name)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._find(identifier, name)
        return found

    def _find(self, identifier: str, name: str):
        labels = self.labels
        if identifier:
            source, colon, value = identifier.partition(":")
            wanted_source = source.strip().lower() if colon else self.system
            value = (value if colon else identifier).strip().lower()
            matches = [(s, p) for s, p in self.by_id.get(value, []) if wanted_source in (None, s)]
            if not matches and wanted_source:
                # Only that system was searched: say so (a Mikromarc id in Quria's column).
                return None, (self.column, _("No service point has the id “%(id)s” in %(system)s.") % {
                    "id": identifier, "system": _system_name(wanted_source)})
            if not matches:
                return None, (self.column, _("No service point has the id “%(id)s” (Kirkanta, Mikromarc or "
                                             "Quria).") % {"id": identifier})
            if len(matches) > 1:
                return None, (self.column, _("The id “%(id)s” belongs to several systems; write it as "
                                             "system:id, e.g. quria:%(value)s.") % {"id": identifier, "value": value})
            point = matches[0][1]
            if point is None:
                return None, (self.column, _("The service point with the id “%(id)s” is not in the "
                                             "municipalities whose figures you import.")
                              % {"id": identifier})
            return point, None
        if name:
            found = self.by_name.get(_norm(name), [])
            if not found:
                return None, (labels["name"], _("No service point in the municipalities whose "
                                               "figures you import is called “%(name)s”.") % {"name": name})
            if len(found) > 1:
                return None, (labels["name"], _("Several service points are called “%(name)s”; give its id.")
                              % {"name": name})
            return found[0], None
        return None, (self.column, _("Give the service point's id or name."))


def _system_name(source: str) -> str:
    """A library system's name as the admin shows it ("Quria"); an unknown prefix as written."""
    labels = dict(ServicePointExternalId.Source.choices)
    return str(labels[source]) if source in labels else source


def _point_mappings() -> list[tuple[str, str, str, str | None]]:
    """(source lower-cased, column normalised, target, metric code) of the ColumnMapping rows a
    service-point file may use: its metrics' columns and its id columns; one query."""
    from .models import ColumnMapping, Metric

    return [(source.strip().lower(), _norm(column), target, code) for source, column, target, code in
            ColumnMapping.objects.filter(Q(metric__level=Metric.Level.SERVICE_POINT)
                                         | Q(target=ColumnMapping.Target.SERVICE_POINT_ID))
            .values_list("source", "column", "target", "metric__code")]


def _point_headers(source: str | None = None, mappings=()) -> tuple[dict, dict]:
    """The accepted column names by field: the built-in ones, every service-point metric's own
    names, and the `mappings` (_point_mappings) of the file's `source` (its library system;
    None: no mapping applies, as a Quria export's names mean nothing in a Mikromarc one); and
    the metric names."""
    from .models import ColumnMapping, Metric

    headers = {name: set(names) for name, names in POINT_HEADERS.items()}
    names = {}
    for metric in Metric.objects.filter(level=Metric.Level.SERVICE_POINT):
        names[metric.code] = capfirst(metric.name)
        headers.setdefault(metric.code, set()).update(
            {_norm(metric.code), *(_norm(name) for name in (metric.name_fi, metric.name_sv, metric.name_en) if name)})
    for mapped_source, column, target, code in mappings:
        if source and mapped_source == source.lower() and target == ColumnMapping.Target.METRIC:
            headers.setdefault(code, set()).add(column)
    return headers, names


def _id_column(header: list[str], mappings) -> tuple[int | None, str | None, bool]:
    """(index of the id column, the system whose ids it holds or None, whether a mapping named
    it). A system's id column mapped as data comes first, then the built-in names ("Quria id"
    holds Quria's ids, "Tunniste" any system's)."""
    from .models import ColumnMapping

    id_columns = {column: source for source, column, target, _code in mappings
                  if target == ColumnMapping.Target.SERVICE_POINT_ID}
    for index, name in enumerate(header):
        system = id_columns.get(_norm(name))
        if system:
            return index, system, True
    id_at = _map_header(header, {"id": POINT_HEADERS["id"]})[0].get("id")
    if id_at is None:
        return None, None, False
    return id_at, ID_HEADER_SOURCES.get(_norm(header[id_at])), False


def _file_source(lines, id_at: int | None, finder: "_PointFinder") -> str | None:
    """The library system whose export the file is, so that only its column mappings apply:
    the one its id column holds the ids of (finder.system: "Quria id", or a mapped id
    column), or else the one all its ids belong to (written "quria:123", or found in that
    system only). None when the file names its points by name only or its ids are of
    several systems."""
    if finder.system or id_at is None:
        return finder.system
    sources, seen = set(), set()
    for _number, line in _data_lines(lines):
        text = _cell(line, id_at).lower()
        if not text or text in seen:  # a national export names each id on twelve rows
            continue
        seen.add(text)
        prefix, colon, value = text.partition(":")
        if colon:
            sources.add(prefix.strip())
        else:
            found = {source for source, _point in finder.by_id.get(text, [])}
            if len(found) == 1:  # an unknown id, or one of two systems, is the row's own error
                sources |= found
        if len(sources) > 1:
            return None
    return sources.pop() if sources else None


# A national export gives a row per service point and month. Removals, acquisitions and
# loans add up over the months; the collection at 31.12. and the active customers are the
# year's figures, given on a row without a month.
MONTH_HEADERS = {"kuukausi", "kk", "month", "månad", "manad"}
YEAR_ONLY_FIELDS = ("collection", "active_customers")
_MONTH_CELL = re.compile(r"(?:(\d{4})-(\d{1,2}))|(\d{1,2})")


def _month_of(text: str, year: int | None) -> int | None:
    """0 for an empty cell (the whole year), 1–12, or None when it is not a month of the year."""
    if not text:
        return 0
    found = _MONTH_CELL.fullmatch(text)
    if not found:
        return None
    month = int(found[2] or found[3])
    if not 1 <= month <= 12 or (found[1] and year is not None and int(found[1]) != year):
        return None
    return month


def _year_set(year: int | None) -> set[str] | None:
    """The codes of the metrics the year takes (selectors.metric_set_codes); None: any."""
    if year is None:
        return None
    from .selectors import metric_set_codes

    return metric_set_codes(year=year)


def _not_in_year_set(label: str, year: int) -> str:
    return _("%(metric)s is not among the metrics of %(year)d, so it cannot be imported for %(year)d. Leave it "
             "out, or have it added to the year's metric set in the admin (Metrics of a year) first.") % {
        "metric": label, "year": year}


def _parse_points(lines, parsed: ParsedFile, progress=None, year: int | None = None, municipality_ids=None):
    labels = _labels()
    header = lines[0]
    # The id column first: its name or its ids tell the file's library system, and so which
    # column mappings apply to the rest of the header.
    mappings = _point_mappings()
    id_at, system, id_mapped = _id_column(header, mappings)
    finder = _PointFinder(municipality_ids, system=system, column=header[id_at].strip()[:40] if system else None)
    source = _file_source(lines, id_at, finder)
    headers, metric_names = _point_headers(source, mappings)
    if id_mapped:
        # The mapped id column is the id, whatever else the header has ("Tunniste" beside it
        # is then a second id column, refused below).
        headers["id"] = {_norm(header[id_at])}
    labels.update({code: name for code, name in metric_names.items() if code not in labels})
    known = {**headers, "month": MONTH_HEADERS}
    columns, unknown = _map_header(header, known)
    monthly = "month" in columns
    if "id" not in columns and "name" not in columns:
        parsed.errors.append(RowError(1, labels["id"], _("The header row needs a column “Tunniste” (id) or "
                                                         "“Palvelupiste” (service point).")))
    # A year takes the figures of its own metric set only (MetricVersion): a metric created
    # or mapped since, or one OKM dropped that year, is refused by its column, not saved
    # into a year whose report does not carry it.
    year_set = _year_set(year)
    if year_set is not None:
        for code, index in columns.items():
            if code not in ("id", "name", "month") and code not in year_set:
                parsed.errors.append(RowError(1, header[index].strip()[:40], _not_in_year_set(
                    labels.get(code, code), year)))
    # A file gives the metrics it has columns for (active customers may come in a file of
    # their own); a metric it has no column for keeps the figures in force.
    present = [code for code in columns if code not in ("id", "name", "month")]
    if not present:
        parsed.errors.append(RowError(1, "", _("The header row has no figure column: give at least one of "
                                               "Poistot, Hankinnat, Kokoelma, Lainaus, Aktiiviset asiakkaat, "
                                               "or a column named in the column mappings.")))
    shared, _unknown = _map_header(header, SHARED_HEADERS)
    if "metric" in shared and "total" in shared and parsed.errors:
        # The other kind's file: say so, rather than calling each of its columns unknown.
        _hint_other_kind(parsed, StatsImport.Kind.SHARED)
        return
    all_names = {name for names in known.values() for name in names} | POINT_HEADERS["id"]
    for index in unknown:
        name = header[index].strip()
        if not name:
            continue  # Excel's empty trailing columns
        if _norm(name) in all_names:
            parsed.errors.append(RowError(1, name[:40], _("Another column of the header row already gives this; remove one of them.")))
        elif source:
            parsed.errors.append(RowError(1, name[:40], _(
                "Unknown column. Map it to a metric in the column mappings (source “%(source)s”, the library system "
                "of the file's ids), or remove the column.") % {"source": source}))
        else:
            parsed.errors.append(RowError(1, name[:40], _(
                "Unknown column. Map it to a metric in the column mappings of the library system the file comes "
                "from (and give the service points by that system's ids, e.g. quria:123), or remove the column.")))
    if parsed.errors:
        return
    # A present column's empty cell: the base metrics of a yearly file need a number (active
    # customers may wait for the vendor's support); other mapped metrics and every column of
    # a file by month are optional, an empty cell being no figure.
    base = [code for code in SERVICE_POINT_FIELDS if code in present]
    extra = [code for code in present if code not in SERVICE_POINT_FIELDS]
    seen = {}
    total = len(lines) - 1
    # What each value column needs, worked out once for the file rather than per row.
    fields = [(field_name, columns[field_name], labels[field_name],
               not monthly and field_name in SERVICE_POINT_FIELDS and field_name != "active_customers",
               field_name in YEAR_ONLY_FIELDS) for field_name in (*base, *extra)]
    id_at, name_at, month_at = columns.get("id"), columns.get("name"), columns.get("month")
    months = {}  # a month cell's text -> its month (a file has a dozen distinct ones)
    for number, line in _data_lines(lines):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number - 1, total)
        point, problem = finder.find(_cell(line, id_at), _cell(line, name_at))
        if monthly:
            month_text = _cell(line, month_at)
            month = months.get(month_text, -1)
            if month == -1:
                month = months[month_text] = _month_of(month_text, year)
        else:
            month = 0
        if month is None:
            parsed.errors.append(RowError(number, lines[0][month_at].strip(), _(
                "“%(value)s” is not a month of the year (1–12).") % {"value": _cell(line, month_at)[:20]}))
            continue
        if problem:
            parsed.errors.append(RowError(number, *problem))
        elif (point.pk, month) in seen:
            # Named in the column the row found it by: the id, or the name when the id is empty.
            by_name = name_at is not None and not _cell(line, id_at)
            parsed.errors.append(RowError(number, labels["name"] if by_name else finder.column, _(
                "The service point %(name)s is already on row %(row)d.") % {
                    "name": point.name, "row": seen[(point.pk, month)]}))
        else:
            seen[(point.pk, month)] = number
        values, ok, width = {}, True, len(line)
        for field_name, index, label, required, year_only in fields:
            try:
                value = parse_count(line[index].strip() if index < width else "", required=required)
            except ValueError as error:
                parsed.errors.append(RowError(number, label, str(error)))
                ok = False
                continue
            if month and year_only and value is not None:
                parsed.errors.append(RowError(number, label, _(
                    "This is a figure of the whole year: give it on the service point's row without a month.")))
                ok = False
                continue
            values[field_name] = value
        if point is not None and ok:
            parsed.rows.append(PointRow(row=number, service_point=point, values=values, month=month))
    if monthly:
        _refuse_year_beside_months(parsed, {field_name: label for field_name, _i, label, _r, _y in fields})


def _refuse_year_beside_months(parsed: ParsedFile, labels: dict) -> None:
    """In a file by month, a point's row without a month that gives a figure the same file
    also gives by month: the pages would add the year's figure to its months (the save
    replaces the other grain only among the figures already in force). The year-only
    figures (collection, active customers) are never given by month, so never meet this."""
    by_month = {}
    for row in parsed.rows:
        if row.month:
            given = by_month.setdefault(row.service_point.pk, set())
            given.update(code for code, value in row.values.items() if value is not None)
    for row in parsed.rows:
        if row.month:
            continue
        for code, value in row.values.items():
            if value is not None and code in by_month.get(row.service_point.pk, ()):
                parsed.errors.append(RowError(row.row, labels.get(code, code), _(
                    "The file gives %(name)s's months of this figure: give it by month or for the whole year, "
                    "not both.") % {"name": row.service_point.name}))


# ---------------------------------------------------------------- shared services


def _metric_of(text: str) -> str | None:
    key = _norm(text)
    for metric in SharedMetric:
        if key in (metric.value, _norm(str(metric.label))) or key in METRIC_NAMES[metric.value]:
            return metric.value
    return None


def _joint_columns(louna_municipalities) -> dict:
    """{code or name: {"municipality", "host"}} of the municipalities that a Louna joint library
    organisation also serves: their figures are in the host's series, so a column of theirs is
    refused with where its part belongs."""
    ids = {municipality.pk for municipality in louna_municipalities}
    keys = {}
    for host_id, one in joint_series().items():
        if host_id not in ids:
            continue
        for served in one.also:
            for key in (served.code, _norm(served.name_fi), _norm(served.name_sv)):
                if key:
                    keys[key] = {"municipality": served.name_fi, "host": one.host.name_fi}
    return keys


def _hint_other_kind(parsed: ParsedFile, kind: str) -> None:
    """A header that is another kind of file's: say so first, before its missing columns
    (six "column missing" lines do not tell that the wrong kind was chosen)."""
    parsed.errors.insert(0, RowError(1, "", _("The file looks like one of %(kind)s: choose that as what the file "
                                              "contains, or choose another file.") % {
        "kind": StatsImport.Kind(kind).label}))


def _parse_shared(lines, parsed: ParsedFile, louna_municipalities, year: int | None = None):
    labels = _labels()
    year_set = _year_set(year)
    columns, unknown = _map_header(lines[0], SHARED_HEADERS)
    for field_name in ("metric", "total"):
        if field_name not in columns:
            parsed.errors.append(RowError(1, labels[field_name], _("The column is missing from the header row.")))
    if parsed.errors:
        headers, _metric_names = _point_headers()
        points, _unknown = _map_header(lines[0], headers)
        if ("id" in points or "name" in points) and any(code in points for code in SERVICE_POINT_FIELDS):
            _hint_other_kind(parsed, StatsImport.Kind.SERVICE_POINTS)
    by_key = {}
    for municipality in louna_municipalities:
        for key in (municipality.code, _norm(municipality.name_fi), _norm(municipality.name_sv)):
            if key:
                by_key[key] = municipality
    municipality_columns, joint_columns = [], None
    for index in unknown:
        name = lines[0][index]
        if not name.strip():
            continue
        code = name.strip()
        if code.isdigit() and code.isascii():
            code = code.zfill(3)  # Excel saves the template's header 061 as 61
        municipality = by_key.get(_norm(name)) or by_key.get(code)
        if municipality is None and joint_columns is None:  # one query, and only for a file that needs it
            joint_columns = _joint_columns(louna_municipalities)
        joint = (joint_columns.get(_norm(name)) or joint_columns.get(code)) if municipality is None else None
        if joint is not None:
            parsed.errors.append(RowError(1, name.strip()[:40], _(
                "%(municipality)s is served by the joint library organisation of %(host)s, which reports one "
                "series for all its municipalities: give the part in %(host)s's column.") % joint))
        elif municipality is None:
            parsed.errors.append(RowError(1, name.strip()[:40], _("The column is neither a known one nor a Louna "
                                                                  "municipality (code or name).")))
        else:
            municipality_columns.append((index, municipality))
    parsed.municipalities = [m for _, m in municipality_columns]
    missing = [m.name_fi for m in louna_municipalities if m not in parsed.municipalities]
    if municipality_columns and missing:
        parsed.errors.append(RowError(1, labels["total"], _("Parts given for some municipalities only; add "
                                                            "columns for: %(names)s.") % {"names": ", ".join(missing)}))
    if parsed.errors:
        return
    seen = {}
    for number, line in _data_lines(lines):
        metric = _metric_of(_cell(line, columns["metric"]))
        if metric is None:
            parsed.errors.append(RowError(number, labels["metric"], _("Unknown figure “%(name)s”. Use one of: "
                                                                     "%(names)s.") % {
                "name": _cell(line, columns["metric"])[:60], "names": ", ".join(SharedMetric.values)}))
        elif metric in seen:
            parsed.errors.append(RowError(number, labels["metric"], _("This figure is already on row %(row)d.")
                                          % {"row": seen[metric]}))
        else:
            seen[metric] = number
            if year_set is not None and metric not in year_set:
                parsed.errors.append(RowError(number, labels["metric"], _not_in_year_set(
                    capfirst(SharedMetric(metric).label), year)))
        ok = True
        try:
            total = parse_count(_cell(line, columns["total"]), required=False)
        except ValueError as error:
            parsed.errors.append(RowError(number, labels["total"], str(error)))
            ok = False
        given, filled = {}, 0
        for index, municipality in municipality_columns:
            text = _cell(line, index)
            filled += bool(text)
            try:
                given[municipality.pk] = parse_count(text, required=False)
            except ValueError as error:
                parsed.errors.append(RowError(number, municipality.name_fi, str(error)))
                ok = False
        if not ok:
            continue
        if filled and filled < len(municipality_columns):
            parsed.errors.append(RowError(number, labels["total"], _("Fill in every municipality's part, or none "
                                                                     "of them to split the total by population.")))
            continue
        if filled:
            parts_sum = sum(given.values())
            if total is None:
                total = parts_sum
            elif total != parts_sum:
                parsed.errors.append(RowError(number, labels["total"], _("The municipalities' parts add up to "
                                                                         "%(sum)d, not to the total %(total)d.")
                                              % {"sum": parts_sum, "total": total}))
                continue
        elif total is None:
            parsed.errors.append(RowError(number, labels["total"], _("A number is required.")))
            continue
        if metric is not None:
            parsed.rows.append(SharedRow(row=number, metric=metric, total=total, given=given if filled else None))


def parse_file(data: bytes, *, kind: str, progress=None, year: int | None = None,
               municipality_ids=None) -> ParsedFile:
    """Read and check a whole file. `progress(done, total)`, if given, hears how far the
    reading has come (a background job's progress bar). `municipality_ids`: whose service
    points the file may name (None: every member's)."""
    parsed = ParsedFile(kind=kind)
    if len(data) > MAX_BYTES:
        parsed.errors.append(RowError(0, "", _("The file is larger than %(max)d MB.") % {"max": MAX_BYTES // 2**20}))
        return parsed
    lines = _read_rows(data, parsed)
    if lines is None:
        return parsed
    if kind == StatsImport.Kind.SERVICE_POINTS:
        _parse_points(lines, parsed, progress, year, municipality_ids)
    else:
        louna = Municipality.objects.filter(Q(libraries__cooperation_areas__slug=LOUNA_AREA)
                                            & Q(libraries__is_active=True)).distinct().order_by("code")
        _parse_shared(lines, parsed, list(louna), year)
    if not parsed.errors and not parsed.rows:
        parsed.errors.append(RowError(0, "", _("The file has a header row but no figures.")))
    return parsed
