"""Uploads are typed by their content, never by their name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from consortium.uploads import DOCUMENTS, IMAGES, detect_file_type, read_checked_upload


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def check(name, data, accept=DOCUMENTS, max_bytes=1024 * 1024):
    with translation.override("en"):
            return read_checked_upload(SimpleUploadedFile(name, data), accept=accept, max_bytes=max_bytes,
                                   accepted_text="PDF")


def test_the_content_decides_the_type_and_the_stored_extension():
    checked = check("pöytäkirja.exe", b"%PDF-1.7 rest")
    assert (checked.extension, checked.mimetype) == ("pdf", "application/pdf")
    assert checked.name.endswith(".pdf") and "exe" not in checked.name
    assert detect_file_type(docx_bytes())[0] == "docx"


def test_a_program_named_like_a_pdf_is_refused_on_the_field():
    with pytest.raises(ValidationError) as caught:
        check("sopimus.pdf", b"MZ\x90\x00\x03\x00\x00\x00")
    assert "whatever its name says" in caught.value.message_dict["file"][0]


def test_a_type_outside_the_accepted_family_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    assert check("kuva.png", png, accept=IMAGES).extension == "png"
    with pytest.raises(ValidationError):
        check("kuva.png", png, accept=DOCUMENTS)


def test_size_and_emptiness_are_checked():
    with pytest.raises(ValidationError, match="at most 1 MB"):
        check("iso.pdf", b"%PDF-" + b"x" * (1024 * 1024))
    with pytest.raises(ValidationError, match="empty"):
        check("tyhja.pdf", b"")


def test_csv_text_as_finnish_excel_saves_it():
    from consortium.uploads import decode_csv_text

    assert decode_csv_text("\ufeffYpäjä;981".encode("utf-8")) == ("Ypäjä;981", "UTF-8 (BOM)")
    assert decode_csv_text("Ypäjä;981".encode("utf-8")) == ("Ypäjä;981", "UTF-8")
    assert decode_csv_text("Ypäjä;981".encode("cp1252")) == ("Ypäjä;981", "Windows-1252")


def test_utf16_text_is_a_kind_of_its_own():
    """Matomo writes its CSV export in UTF-16LE after a byte order mark: text, but only a
    caller that reads UTF-16 accepts it; a plain-text field still refuses it."""
    from consortium.uploads import PLAIN_TEXT, UTF16_TEXT

    data = b"\xff\xfe" + "date,label,nb_visits\n2024-01,Finna,31200".encode("utf-16-le")
    assert detect_file_type(data) == (UTF16_TEXT, "text/plain")
    assert detect_file_type(b"\xff\xfe\x00\xd8") is None  # a lone surrogate: not UTF-16 text
    checked = read_checked_upload(SimpleUploadedFile("matomo.csv", data), accept=PLAIN_TEXT | {UTF16_TEXT},
                                  max_bytes=1024, accepted_text="CSV")
    assert checked.data == data
    with pytest.raises(ValidationError):
        read_checked_upload(SimpleUploadedFile("matomo.csv", data), accept=PLAIN_TEXT, max_bytes=1024,
                            accepted_text="CSV")
