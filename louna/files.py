"""Uploaded evidence files: the type is read from the content, never from the name."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

__all__ = ("MAX_UPLOAD_BYTES", "sniff", "checked_upload")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# (extension, MIME type) by the first bytes of the file.
_MAGIC = [
    (b"%PDF-", ("pdf", "application/pdf")),
    (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
    (b"\xff\xd8\xff", ("jpg", "image/jpeg")),
]

# Office Open XML and OpenDocument are zip files; what is inside tells which.
_OOXML = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def _sniff_zip(data: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "mimetype" in names:
        mimetype = archive.read("mimetype").strip()
        if mimetype in _ODF:
            return _ODF[mimetype], mimetype.decode()
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(data: bytes):
    """(extension, MIME type) of an accepted file, or None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data and _is_text(data):
        return ("txt", "text/plain")
    return None


def checked_upload(upload, field: str = "file"):
    """Read an upload, check its size and real type. Returns (safe name, bytes, MIME type);
    raises ValidationError naming `field` otherwise."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("The file is too large (%(size)d MB); the limit is %(limit)d MB.")
                                      % {"size": upload.size // (1024 * 1024), "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}})
    data = upload.read()
    if not data:
        raise ValidationError({field: _("The file is empty.")})
    kind = sniff(data)
    if kind is None:
        raise ValidationError({field: _("This type of file is not accepted. Accepted: PDF, PNG, JPEG, Word, Excel, "
                                        "PowerPoint, OpenDocument and plain text.")})
    extension, mimetype = kind
    stem = get_valid_filename((upload.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:80] or "file"
    # The stored name carries the extension of the real type, whatever the name claimed.
    return f"{stem}.{extension}", data, mimetype
