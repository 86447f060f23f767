"""The library's copy of the programme and its implementation report as typeset PDFs
(WeasyPrint), in Finnish: the documents go to the municipality as they are."""

import logging

from django.template.loader import render_to_string
from django.utils import translation

from .models import ImplementationReport, ProgrammeVersion

__all__ = ("programme_pdf", "report_pdf", "html_to_pdf")

# WeasyPrint logs every step of every page at INFO; the worker's log needs none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which the web pages never need

    return HTML(string=html).write_pdf()


def _grouped(rows):
    groups, current = [], None
    for row in rows:
        if current is None or current["area"] != row.area:
            current = {"area": row.area, "items": []}
            groups.append(current)
        current["items"].append(row)
    return groups


def programme_pdf(*, version: ProgrammeVersion, library) -> bytes:
    rows = sorted(version.items.select_related("area"),
                  key=lambda r: ((r.area.number if r.area else 10_000), r.position, r.item_id))
    with translation.override("fi"):
        html = render_to_string("louna/programme/pdf/programme.html", {
            "programme": version.programme, "version": version, "library": library, "groups": _grouped(rows),
        })
    return html_to_pdf(html)


def report_pdf(*, report: ImplementationReport) -> bytes:
    with translation.override("fi"):
        html = render_to_string("louna/programme/pdf/report.html", {
            "report": report, "programme": report.programme, "library": report.library,
            "groups": report.content.get("groups", {}), "figures": report.content.get("figures", []),
        })
    return html_to_pdf(html)
