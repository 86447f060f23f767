"""The mail outbox: every e-mail of the portal (but the newsletter's bulk sending, see
docs/architecture.md) is queued here and sent by a worker after the transaction commits.

    enqueue_mail_to_user(user=..., key="louna.agenda:12:7:3", kind="louna.agenda",
                         template="louna/mail/agenda", context={...}, about=meeting)

- **Queued in the caller's transaction.** The row is written with the change that calls
  for it: rolled back together, committed together. No web request and no row-locked
  transaction ever waits on a mail server.
- **Once per key.** The key names the message; queuing it again is a no-op. A retried task
  or a double click sends one message; a new version of a document takes a new key.
- **Sent after commit** by `outbox_send` (Celery). If the broker is down at that moment
  the row simply waits: `outbox_sweep` (beat, every minute) starts a sender for due rows.
- **Claimed, then sent, then marked**: rows are claimed with SELECT … FOR UPDATE SKIP
  LOCKED under a lease, and marked sent only after the server answered 250 to DATA, with
  its reply and our Message-ID. A 4xx or a lost connection waits with back-off
  (OUTBOX_RETRY_DELAYS); a 5xx fails the message for good with the server's reply; staff
  see failed mail at /outbox/ and can send it again.
- **A worker that dies mid-send** leaves its rows claimed; the sweeper puts them back once
  the lease has run out. A message whose acceptance the worker never saw is sent again:
  the same reasoning as the newsletter's (docs/newsletters.md), a duplicate at most for a
  crash inside the server's final reply, never a lost message.
"""

import base64
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .mail import render_mail
from .models import OutboxMessage
from .smtp import connection_lost, describe, from_domain, is_permanent, send_over

__all__ = ("enqueue_mail", "enqueue_mail_to_user", "outbox_send_batch", "outbox_sweep", "message_resend",
           "messages_about", "queued_keys", "failed_messages", "outbox_counts", "OutboxConfig", "outbox_config")

log = logging.getLogger(__name__)

State = OutboxMessage.State
DUE_STATES = (State.QUEUED, State.RETRY)


@dataclass(frozen=True)
class OutboxConfig:
    batch_size: int  # messages one task claims and sends over one connection
    lease: int  # seconds a claim holds before the sweeper may take it back
    retry_delays: tuple  # seconds to wait before attempt 2, 3, ...
    max_attempts: int


def outbox_config() -> OutboxConfig:
    return OutboxConfig(
        batch_size=int(getattr(settings, "OUTBOX_BATCH_SIZE", 50)),
        lease=int(getattr(settings, "OUTBOX_LEASE", 300)),
        retry_delays=tuple(getattr(settings, "OUTBOX_RETRY_DELAYS", (60, 300, 1800, 7200, 21600))),
        max_attempts=int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 6)),
    )


# ---------------------------------------------------------------- queuing


def _kick_sender() -> None:
    """Ask a worker to send now. With the broker down the rows wait in the database and
    the sweeper (beat) starts a sender later: a queued mail is never lost to Redis."""
    from .tasks import outbox_send

    try:
        outbox_send.apply_async()
    except Exception:  # noqa: BLE001 - kombu raises many kinds; none may fail the committed request
        log.warning("outbox: the broker did not take the send task; the sweeper will start it", exc_info=True)


def enqueue_mail(*, to: str, language: str, key: str, kind: str, template: str, context: dict,
                 about=None, attachments=(), not_before: datetime | None = None, recipient=None,
                 headers: dict | None = None) -> OutboxMessage:
    """Render the message now, in `language`, and queue it under `key` (a no-op if a
    message with that key is already queued or sent: the existing row is returned)."""
    key = key[:200]  # the column's length: the lookup and the row must agree on it
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if not to:
        raise ValidationError({"to": _("The recipient has no e-mail address.")})
    subject, text, html = render_mail(template=template, context=context, language=language)
    row = OutboxMessage(
        key=key, kind=kind[:60], to=to, recipient=recipient, language=language, subject=subject[:300],
        body_text=text, body_html=html or "", headers=headers or {}, not_before=not_before,
        attachments=[{"name": name, "mimetype": mimetype,
                      "base64": base64.b64encode(content.encode() if isinstance(content, str) else content).decode()}
                     for name, content, mimetype in attachments])
    if about is not None:
        row.about_type = ContentType.objects.get_for_model(about)
        row.about_id = about.pk
    try:
        # A savepoint: losing a race for the same key must not break the caller's transaction.
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return OutboxMessage.objects.get(key=key)
    transaction.on_commit(_kick_sender)
    return row


def enqueue_mail_to_user(*, user, key: str, kind: str, template: str, context: dict, about=None,
                         attachments=(), not_before: datetime | None = None) -> OutboxMessage:
    """Queue a message to a portal user, in the language they chose."""
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    return enqueue_mail(to=user.email, language=language, key=key, kind=kind, template=template,
                        context={**context, "recipient": user}, about=about, attachments=attachments,
                        not_before=not_before, recipient=user)


# ---------------------------------------------------------------- sending


def _due(now: datetime) -> Q:
    return ((Q(state=State.QUEUED) | Q(state=State.RETRY, retry_after__lte=now))
            & (Q(not_before__isnull=True) | Q(not_before__lte=now)))


def _claim(limit: int, lease: int, now: datetime) -> list[OutboxMessage]:
    """Claim up to `limit` due rows. SKIP LOCKED lets workers claim side by side without
    waiting for or taking each other's rows; the state re-check in the UPDATE keeps it right
    on a database without row locks (SQLite) too."""
    with transaction.atomic():
        ids = list(OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(now))
                   .order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
            state=State.SENDING, claimed_at=now, lease_until=now + timedelta(seconds=lease),
            attempts=F("attempts") + 1)
    return list(OutboxMessage.objects.filter(pk__in=ids, state=State.SENDING, claimed_at=now).order_by("pk"))


def _message_id(row: OutboxMessage) -> str:
    # The same on every attempt: a duplicate after a crash is recognisable by the receiver.
    return f"<outbox-{row.pk}@{from_domain()}>"


def _compose(row: OutboxMessage) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(row.subject, row.body_text, to=[row.to],
                                     headers={"Message-ID": _message_id(row), "Content-Language": row.language,
                                              **row.headers})
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for part in row.attachments:
        message.attach(part["name"], base64.b64decode(part["base64"]), part["mimetype"])
    return message


def _retry_or_fail(row: OutboxMessage, error: str, cfg: OutboxConfig, now: datetime) -> str:
    if row.attempts >= cfg.max_attempts:
        OutboxMessage.objects.filter(pk=row.pk, state=State.SENDING).update(
            state=State.FAILED, lease_until=None,
            last_error=(_("Gave up after %(n)d attempts: %(error)s") % {"n": row.attempts, "error": error})[:2000])
        return State.FAILED
    delay = cfg.retry_delays[min(row.attempts - 1, len(cfg.retry_delays) - 1)] if cfg.retry_delays else 60
    OutboxMessage.objects.filter(pk=row.pk, state=State.SENDING).update(
        state=State.RETRY, last_error=error[:2000], retry_after=now + timedelta(seconds=delay), lease_until=None)
    return State.RETRY


def _release(ids: list[int]) -> None:
    """Rows claimed but never tried (the connection died first) go back untouched."""
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, state=State.SENDING).update(
            state=State.QUEUED, attempts=F("attempts") - 1, claimed_at=None, lease_until=None)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    more: bool = False  # rows are still due now: the task queues the next batch


def outbox_send_batch(*, now=timezone.now) -> SendResult:
    """Claim one batch of due messages and send them over one SMTP connection."""
    cfg = outbox_config()
    result = SendResult()
    claimed = _claim(cfg.batch_size, cfg.lease, now())
    if not claimed:
        return result
    pending = [row.pk for row in claimed]
    # A hung server must fail the send before the sweeper could take the claim back.
    timeout = min(float(getattr(settings, "EMAIL_TIMEOUT", None) or 60), cfg.lease / 2)
    backend = get_connection(fail_silently=False, timeout=timeout)
    try:
        backend.open()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("outbox: cannot connect to the mail server: %s", exc)
        _release(pending)
        return result
    try:
        for row in claimed:
            try:
                message = _compose(row)
                data = message.message().as_bytes(linesep="\r\n")
            except Exception as exc:  # noqa: BLE001 - one message that cannot be built must not stop the rest
                log.exception("outbox: cannot compose message %s", row.pk)
                pending.remove(row.pk)
                OutboxMessage.objects.filter(pk=row.pk, state=State.SENDING).update(
                    state=State.FAILED, lease_until=None,
                    last_error=(_("The message could not be composed: %(error)s")
                                % {"error": f"{type(exc).__name__}: {exc}"})[:2000])
                result.failed += 1
                continue
            try:
                reply = send_over(backend, message, data)
            except (smtplib.SMTPException, OSError) as exc:
                pending.remove(row.pk)
                if connection_lost(exc):
                    _retry_or_fail(row, describe(exc), cfg, now())
                    _release(pending)
                    result.retrying += 1
                    return result
                if is_permanent(exc):
                    OutboxMessage.objects.filter(pk=row.pk, state=State.SENDING).update(
                        state=State.FAILED, last_error=describe(exc), lease_until=None)
                    result.failed += 1
                else:
                    state = _retry_or_fail(row, describe(exc), cfg, now())
                    result.failed += state == State.FAILED
                    result.retrying += state == State.RETRY
                continue
            # Accepted: only now is the row marked sent, even if its lease ran out meanwhile
            # (the server has the message; a row left queued would be sent a second time).
            OutboxMessage.objects.filter(pk=row.pk).exclude(state=State.SENT).update(
                state=State.SENT, sent_at=now(), smtp_reply=reply, message_id=_message_id(row),
                last_error="", lease_until=None)
            pending.remove(row.pk)
            result.sent += 1
    finally:
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - a close failing after the work is done changes nothing
            log.warning("outbox: closing the SMTP connection failed", exc_info=True)
    result.more = OutboxMessage.objects.filter(_due(now())).exists()
    return result


def outbox_sweep(*, now: datetime | None = None) -> dict:
    """Beat, every minute: rows whose claim ran out go back to the queue (or fail after
    too many attempts), and a sender is started when anything is due."""
    now = now or timezone.now()
    cfg = outbox_config()
    stale = OutboxMessage.objects.filter(state=State.SENDING, lease_until__lt=now)
    failed = stale.filter(attempts__gte=cfg.max_attempts).update(
        state=State.FAILED, lease_until=None,
        last_error=_("Sending was interrupted %(n)d times; given up.") % {"n": cfg.max_attempts})
    requeued = stale.update(state=State.QUEUED, lease_until=None,
                            last_error=_("Sending was interrupted (the worker stopped); sent again."))
    due = OutboxMessage.objects.filter(_due(now)).exists()
    if due:
        _kick_sender()
    return {"requeued": requeued, "failed": failed, "started": due}


def message_resend(*, message: OutboxMessage, by=None) -> OutboxMessage:
    """Staff send a failed message again (after fixing an address, or once the server is
    back): it goes back to the queue with a fresh count of attempts."""
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if row.state != State.FAILED:
            raise ValidationError(_("Only a failed message can be sent again (this one: %(state)s).")
                                  % {"state": row.get_state_display()})
        row.state, row.attempts, row.retry_after, row.lease_until = State.QUEUED, 0, None, None
        row.save(update_fields=["state", "attempts", "retry_after", "lease_until"])
        transaction.on_commit(_kick_sender)
    log.info("outbox: message %s queued again by %s", row.pk, getattr(by, "pk", None))
    return row


# ---------------------------------------------------------------- reading


def messages_about(obj, *, kind: str | None = None):
    """The outbox rows about one object (e.g. who has been sent a meeting's agenda)."""
    rows = OutboxMessage.objects.filter(about_type=ContentType.objects.get_for_model(obj), about_id=obj.pk)
    return rows.filter(kind=kind) if kind else rows


def queued_keys(keys) -> set[str]:
    """Which of `keys` are already in the outbox (in any state): for a caller that reports
    how many messages a run queued that were not queued before."""
    return set(OutboxMessage.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def failed_messages():
    return OutboxMessage.objects.filter(state=State.FAILED).only(
        "pk", "kind", "to", "subject", "last_error", "attempts", "created_at", "state").order_by("-created_at", "-pk")


def outbox_counts() -> dict:
    return dict(OutboxMessage.objects.values_list("state").annotate(n=Count("pk")).order_by())
