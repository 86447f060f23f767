"""Uploaded files: the type is read from the content, never from the name or the browser's
claim, and the stored name carries the extension of the real type. Shared by every app
that takes uploads (procurement documents, Louna evidence and agreement documents)."""

import codecs
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

__all__ = ("DOCUMENTS", "IMAGES", "PLAIN_TEXT", "UTF16_TEXT", "CheckedUpload", "detect_file_type", "read_checked_upload",
           "decode_csv_text")

# Families of accepted types, by the extension the detection gives.
DOCUMENTS = frozenset({"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp"})
IMAGES = frozenset({"png", "jpg"})
PLAIN_TEXT = frozenset({"txt"})
UTF16_TEXT = "utf16"  # text in UTF-16 with a byte order mark

# (extension, MIME type) by the first bytes of the file.
_MAGIC = [
    (b"%PDF-", ("pdf", "application/pdf")),
    (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
    (b"\xff\xd8\xff", ("jpg", "image/jpeg")),
    (b"GIF87a", ("gif", "image/gif")),
    (b"GIF89a", ("gif", "image/gif")),
]
# Office Open XML and OpenDocument files are zip archives; what is inside tells which.
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


def _zip_type(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                if mimetype in _ODF:
                    return _ODF[mimetype], mimetype.decode()
    except (zipfile.BadZipFile, ValueError):
        return None
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


def _is_utf16(data: bytes) -> bool:
    try:
        data.decode("utf-16")
    except UnicodeDecodeError:
        return False
    return True


def detect_file_type(data: bytes) -> tuple[str, str] | None:
    """(extension, MIME type) of a file of a type we know, or None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("webp", "image/webp")
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data and _is_text(data):
        return ("txt", "text/plain")
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and _is_utf16(data):
        # A kind of its own, so only a caller that reads UTF-16 accepts it (e.g. the
        # statistics' web analytics export, which Matomo writes as UTF-16LE with a BOM).
        return ("utf16", "text/plain")
    return None


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # a safe file name whose extension is the real type's
    data: bytes
    extension: str
    mimetype: str


def read_checked_upload(upload, *, accept: frozenset, max_bytes: int, accepted_text: str,
                        field: str = "file") -> CheckedUpload:
    """Read an upload and check its size and real type against `accept`; a refusal is a
    ValidationError on `field` that names the limit or, with `accepted_text`, what is accepted."""
    if upload is None:
        raise ValidationError({field: _("Choose a file to upload.")})
    if upload.size > max_bytes:
        raise ValidationError({field: _("The file is %(size)s MB; at most %(max)s MB is allowed.") % {
            "size": round(upload.size / 1024 / 1024, 1), "max": max_bytes // 1024 // 1024}})
    data = b"".join(upload.chunks())
    if not data:
        raise ValidationError({field: _("The file is empty.")})
    kind = detect_file_type(data)
    if kind is None or kind[0] not in accept:
        raise ValidationError({field: _("This type of file is not accepted, whatever its name says. "
                                        "Accepted: %(types)s.") % {"types": accepted_text}})
    extension, mimetype = kind
    stem = get_valid_filename((upload.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:80] or "file"
    return CheckedUpload(name=f"{stem}.{extension}", data=data, extension=extension, mimetype=mimetype)


def decode_csv_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file as Finnish Excel saves it, and the encoding found: UTF-8 with
    or without a BOM, else Windows-1252. UnicodeDecodeError when it is neither."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "Windows-1252"
