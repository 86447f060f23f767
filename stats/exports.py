"""The year's figures as an Excel workbook (openpyxl): municipalities, service points and
the shared services. Text that a spreadsheet would run as a formula is kept as text."""

import csv
import io

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.spreadsheets import safe_cell

from . import selectors
from .models import Metric, SharedMetric
from .permissions import louna_municipality_ids

__all__ = ("year_workbook", "column_labels", "import_template")


def column_labels(metrics=None) -> dict:
    """{metric code: its name in the active language}; one query unless the metrics are given."""
    return {metric.code: capfirst(metric.name) for metric in (Metric.objects.all() if metrics is None else metrics)}


def _header(sheet, values):
    sheet.append([safe_cell(str(value)) for value in values])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def year_workbook(*, statistics_year, municipality_ids) -> bytes:
    labels = column_labels()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Municipalities")[:31]
    sheet.append([_("Library statistics %(year)d") % {"year": statistics_year.year}])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_("State"), str(statistics_year.get_state_display()),
                  _("Exported"), timezone.localtime().strftime("%d.%m.%Y %H:%M")])
    sheet.append([])
    metrics = selectors.year_metrics(year=statistics_year.year)
    codes = [metric.code for metric in metrics]
    _header(sheet, [_("Municipality code"), _("Municipality"), *[labels[n] for n in codes],
                    _("Service points"), _("Service points without figures")])
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=municipality_ids,
                                         metrics=metrics)
    for row in rows:
        sheet.append([safe_cell(row["municipality"].code), safe_cell(row["municipality"].name_fi),
                      *[row["figures"][n] for n in codes], row["service_points"], row["service_points_missing"]])
    totals = selectors.sum_rows(rows)
    sheet.append(["", _("Total"), *[totals[n] for n in codes], totals["service_points"],
                  totals["service_points_missing"]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)

    points = workbook.create_sheet(_("Service points")[:31])
    point_metrics = [metric for metric in metrics if metric.level == Metric.Level.SERVICE_POINT]
    _header(points, [_("Municipality"), _("Library"), _("Service point"), _("Ids"),
                     *[labels[metric.code] for metric in point_metrics]])
    point_rows = selectors.point_rows(statistics_year=statistics_year, municipality_ids=municipality_ids,
                                      metrics=point_metrics)
    from consortium.models import ServicePointExternalId

    ids = {}
    for point_id, source, value in ServicePointExternalId.objects.filter(
            service_point__in=[row["service_point"] for row in point_rows]).values_list("service_point_id", "source",
                                                                                         "value"):
        ids.setdefault(point_id, []).append(f"{source}:{value}")
    for row in point_rows:
        point = row["service_point"]
        points.append([safe_cell(row["municipality"].name_fi), safe_cell(point.library.name), safe_cell(point.name),
                       safe_cell(", ".join(ids.get(point.pk, []))),
                       *(row["values"] or [None] * len(point_metrics))])

    # Louna's shared services are split among the Louna municipalities: their totals mean
    # something to a workbook holding one of those, nothing to Tampere's.
    if set(municipality_ids) & louna_municipality_ids():
        shared = workbook.create_sheet(_("Shared services")[:31])
        _header(shared, [_("Figure"), _("Total"), _("Split method"), _("Population year")])
        for total in selectors.shared_totals(statistics_year=statistics_year):
            shared.append([labels.get(total.metric, total.metric), total.total,
                           str(total.get_split_method_display()), total.population_year])
    for worksheet in workbook.worksheets:
        worksheet.column_dimensions["A"].width = 28
        worksheet.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The service-point template's value columns: (metric code, the Finnish column name).
TEMPLATE_COLUMNS = (("removals", "Poistot"), ("acquisitions", "Hankinnat"), ("collection", "Kokoelma"),
                    ("loans", "Lainaus"), ("active_customers", "Aktiiviset asiakkaat"))


def import_template(*, statistics_year, kind: str, municipality_ids) -> bytes:
    """A CSV to fill in, as Finnish Excel opens it (UTF-8 with a BOM, semicolons): the header
    and one row per Louna service point owing figures (its id and name), or one row per
    shared-service figure with the municipality columns."""
    from consortium.models import Municipality, ServicePointExternalId

    from .models import StatsImport

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if kind == StatsImport.Kind.SERVICE_POINTS:
        # The base columns of the year's metric set: the import refuses a column outside it.
        year_set = selectors.metric_set_codes(year=statistics_year.year)
        columns = [name for code, name in TEMPLATE_COLUMNS if year_set is None or code in year_set]
        writer.writerow(["Tunniste", "Palvelupiste", *columns])
        points = list(selectors.expected_service_points(year=statistics_year.year, municipality_ids=municipality_ids)
                      .order_by("library__municipality__name_fi", "name"))
        ids = {}
        for point_id, source, value in ServicePointExternalId.objects.filter(service_point__in=points).order_by(
                "source").values_list("service_point_id", "source", "value"):
            ids.setdefault(point_id, f"{source}:{value}")
        for point in points:
            writer.writerow([safe_cell(ids.get(point.pk, "")), safe_cell(point.name), *[""] * len(columns)])
    else:
        codes = list(Municipality.objects.filter(pk__in=municipality_ids).order_by("code")
                     .values_list("code", flat=True))
        writer.writerow(["Tieto", "Yhteensä", *codes])
        # The shared figures of the year's metric set, as the import takes no other.
        year_set = selectors.metric_set_codes(year=statistics_year.year)
        for metric in SharedMetric.values:
            if year_set is None or metric in year_set:
                writer.writerow([metric, "", *[""] * len(codes)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
