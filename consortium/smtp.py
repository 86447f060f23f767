"""Talking to the mail server one message at a time, as both senders need it: the core's
outbox (every kind of portal mail) and the newsletter's own bulk path.

Django's `send_messages` hides what the server said. Both senders need it: a message is
marked sent only after the server answered 250 to DATA (and its reply, the queue id, is
kept), a 5xx reply fails the one message for good, and a 4xx or a lost connection leaves
it for a retry."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

__all__ = ("send_over", "connection_lost", "smtp_code", "is_permanent", "from_domain", "describe")


def send_over(backend, message: EmailMessage, data: bytes | None = None) -> str:
    """Send `message` over the backend's open connection and return the server's
    acceptance reply. A backend that is not SMTP (console, locmem) is used as it is."""
    connection = getattr(backend, "connection", None)
    if not isinstance(connection, smtplib.SMTP):
        backend.send_messages([message])
        return f"accepted by {type(backend).__module__}"
    if data is None:
        data = message.message().as_bytes(linesep="\r\n")
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipient = sanitize_address(message.to[0], encoding)
    connection.ehlo_or_helo_if_needed()
    code, reply = connection.mail(sender)
    if code != 250:
        connection.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = connection.rcpt(recipient)
    if code not in (250, 251):
        connection.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = connection.data(data)
    if code != 250:
        connection.rset()
        raise smtplib.SMTPDataError(code, reply)
    return reply.decode(errors="replace")[:250]


def connection_lost(exc: Exception) -> bool:
    """Errors that are about the connection or our side, not the recipient: the rest of a
    batch waits. A refused sender (MAIL FROM) is one of them: whatever its code, it would
    refuse every recipient alike, and failing them all for good would leave nothing to retry."""
    return (isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPSenderRefused))
            or not isinstance(exc, smtplib.SMTPException))


def smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return codes[0] if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def is_permanent(exc: Exception) -> bool:
    """A 5xx reply about this message: sending it again will not help."""
    code = smtp_code(exc)
    return bool(code and 500 <= code < 600) and not connection_lost(exc)


def describe(exc: Exception) -> str:
    """The server's own words, for the person who reads why a message failed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
                 for code, reply in exc.recipients.values()]
        return "; ".join(parts)[:2000]
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {error}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def from_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"
