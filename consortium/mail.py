"""E-mail in the recipient's own language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

__all__ = ("send_mail_to_user", "render_mail")


def render_mail(*, template: str, context: dict, language: str) -> tuple[str, str, str | None]:
    """Render `<template>_subject.txt`, `<template>.txt` and (if present) `<template>.html`
    under `language`. Returns (subject, text, html or None)."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:  # the HTML part is optional
            html = None
    return subject, text, html


def send_mail_to_user(*, user, template: str, context: dict, attachments=(), connection=None) -> int:
    """Send one message to a portal user, rendered in the language they chose."""
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    subject, text, html = render_mail(template=template, context={**context, "recipient": user}, language=language)
    message = EmailMultiAlternatives(subject, text, to=[user.email], connection=connection)
    if html:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message.send()
