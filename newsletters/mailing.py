"""Mail to an address that need not be a portal user (a subscriber), in their language."""

from django.core.mail import EmailMultiAlternatives

from consortium.mail import render_mail

__all__ = ("send_plain_mail",)


def send_plain_mail(*, to: str, language: str, template: str, context: dict) -> int:
    subject, text, html = render_mail(template=template, context=context, language=language or "fi")
    message = EmailMultiAlternatives(subject, text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
