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


def _structure_types(reader: PdfReader) -> set[str]:
    """The tag names (/S) found in the document's structure tree."""
    found, todo = set(), [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        node = todo.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            todo.extend(node)
            continue
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            found.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            todo.extend(kids if isinstance(kids, list) else [kids])
    return found


def test_the_pdfs_are_tagged_documents_with_a_language_and_a_title(final, coordinator, tammela, humppila):
    """PDF/UA: a screen reader finds the headings, the table headers, the language and the
    title — read back from the files' structure, not from their look."""
    services.reports_draft(programme=final, by=coordinator)
    documents = [programme_pdf(version=final.versions.order_by("-number").first(), library=humppila),
                 report_pdf(report=ImplementationReport.objects.get(library=tammela))]
    for data in documents:
        reader = PdfReader(io.BytesIO(data))
        root = reader.trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"])
        assert root["/Lang"] == "fi"
        assert reader.metadata.title
        assert "/StructTreeRoot" in root
        tags = _structure_types(reader)
        assert "/H1" in tags and "/P" in tags, tags
