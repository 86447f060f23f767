"""The library's copy and its implementation report are real PDFs (WeasyPrint) whose text,
read back with pypdf, holds the library's name and every item's title."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from consortium.calendar import next_working_day
from louna.programme import services
from louna.models import ImplementationReport
from louna.programme.pdf import programme_pdf, report_pdf
from louna.tests.programme_fixtures import answer_all, final, forssa, in_review, make_items, programme  # noqa: F401

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_programme_pdf_holds_the_library_and_every_item(programme, coordinator, director, other_director,
                                                            humppila):
    make_items(programme, 25, start=100)  # enough for several pages
    services.review_open(programme=programme, deadline=next_working_day(timezone.localdate()), by=coordinator)
    programme.refresh_from_db()
    answer_all(programme, coordinator, [director, other_director])
    version = services.programme_finalise(programme=programme, by=coordinator)
    data = programme_pdf(version=version, library=humppila)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    text = _text(data)
    assert humppila.name in text
    titles = list(version.items.values_list("title", flat=True))
    assert len(titles) == 28
    missing = [title for title in titles if title not in text]
    assert not missing, missing
    assert "Yhteinen kirjastojärjestelmä" in text  # the service area's heading
    assert reader.metadata.title == version.title


def test_the_report_pdf_holds_the_library_and_its_items(final, coordinator, tammela):
    items = list(final.items.order_by("position"))
    services.progress_record(item=items[0], state="done", percent=100, by=coordinator)
    services.progress_record(item=items[1], state="moved", percent=30, note="Siirtyy kuntien aikataulun vuoksi.",
                             by=coordinator)
    services.reports_draft(programme=final, by=coordinator)
    report = ImplementationReport.objects.get(library=tammela)
    report.summary = "Vuosi sujui suunnitellusti."
    text = _text(report_pdf(report=report))
    assert tammela.name in text and "Vuosi sujui suunnitellusti." in text
    for item in items:
        assert item.title in text
    assert "Siirtyy kuntien aikataulun vuoksi." in text
