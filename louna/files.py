"""Uploaded evidence and agreement documents: what Louna accepts (the checks themselves are
the core's, consortium/uploads.py)."""

from django.utils.translation import gettext as _

from consortium.uploads import DOCUMENTS, IMAGES, PLAIN_TEXT, read_checked_upload

__all__ = ("MAX_UPLOAD_BYTES", "checked_upload")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def checked_upload(upload, field: str = "file"):
    """Returns (safe name, bytes, MIME type); raises ValidationError naming `field` otherwise."""
    checked = read_checked_upload(
        upload, accept=DOCUMENTS | IMAGES | PLAIN_TEXT, max_bytes=MAX_UPLOAD_BYTES, field=field,
        accepted_text=_("PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument and plain text"),
    )
    return checked.name, checked.data, checked.mimetype
