"""Uploaded documents: type checked from the content, size limited, name never trusted."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from procurement import services
from procurement.models import ProcurementDocument

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx_bytes():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def upload(procurement, user, name, content, kind="tender", title="Tarjouspyyntö"):
    return services.document_upload(procurement=procurement, uploaded_file=SimpleUploadedFile(name, content),
                                    kind=kind, title=title, by=user)


def test_pdf_is_stored_under_a_generated_name(open_procurement, staff_user):
    document = upload(open_procurement, staff_user, "../../etc/passwd.pdf", PDF)
    assert document.extension == "pdf" and document.content_type == "application/pdf"
    assert "passwd" not in document.file.name and ".." not in document.file.name
    assert document.file.name.startswith("procurement/") and document.file.name.endswith(".pdf")
    assert document.size == len(PDF)
    assert document.download_name == "tarjouspyynto.pdf"


def test_type_comes_from_the_content_not_the_name(open_procurement, staff_user):
    document = upload(open_procurement, staff_user, "osallistujat.pdf", xlsx_bytes())
    assert document.extension == "xlsx"
    with pytest.raises(ValidationError, match="whatever its name says"):
        upload(open_procurement, staff_user, "tarjous.pdf", b"MZ\x90\x00 this is a program")
    with pytest.raises(ValidationError, match="whatever its name says"):
        upload(open_procurement, staff_user, "sivu.pdf", b"<html><script>alert(1)</script></html>")
    assert ProcurementDocument.objects.count() == 1


def test_too_large_and_empty_files_are_refused(open_procurement, staff_user, settings):
    with pytest.raises(ValidationError, match="at most 20 MB"):
        upload(open_procurement, staff_user, "iso.pdf", PDF + b"0" * services.MAX_DOCUMENT_BYTES)
    with pytest.raises(ValidationError, match="empty"):
        upload(open_procurement, staff_user, "tyhja.pdf", b"")
    assert not ProcurementDocument.objects.exists()


def test_upload_through_the_page_and_download_as_member(client, open_procurement, staff_user, contact, nobody):
    client.force_login(staff_user)
    response = client.post(f"/procurement/{open_procurement.pk}/documents/", {
        "title": "Kiinnostuskysely", "kind": "call_for_interest",
        "file": SimpleUploadedFile("kysely.exe", PDF, content_type="application/x-msdownload")})
    assert response.status_code == 302
    document = ProcurementDocument.objects.get()
    client.force_login(contact)
    response = client.get(f"/procurement/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="kiinnostuskysely.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(nobody)
    assert client.get(f"/procurement/documents/{document.pk}/").status_code == 403
    client.force_login(contact)
    response = client.post(f"/procurement/{open_procurement.pk}/documents/", {
        "title": "x", "kind": "other", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert response.status_code == 403


def test_agreement_document_is_attached_to_the_agreement(client, staff_user):
    from procurement.tests.factories import AgreementFactory

    agreement = AgreementFactory()
    other = AgreementFactory()
    client.force_login(staff_user)
    url = f"/procurement/{agreement.procurement_id}/documents/"
    response = client.post(url, {"title": "Puitesopimus", "kind": "agreement", "agreement": agreement.pk,
                                 "file": SimpleUploadedFile("sopimus.pdf", PDF)})
    assert response["Location"] == f"/procurement/agreements/{agreement.pk}/"
    assert list(agreement.documents.values_list("title", flat=True)) == ["Puitesopimus"]
    # An agreement of another procurement is not found through this one.
    response = client.post(url, {"title": "X", "kind": "agreement", "agreement": other.pk,
                                 "file": SimpleUploadedFile("x.pdf", PDF)})
    assert response.status_code == 404
    assert not other.documents.exists()
    page = client.get(f"/procurement/agreements/{agreement.pk}/").content.decode()
    assert "Puitesopimus" in page
