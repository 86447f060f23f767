"""Sending an issue: fan-out to one Delivery row per recipient, then batches that claim
rows, send them over one SMTP connection at a limited rate, and mark each row sent only
after the server accepted it. A sweeper puts back rows a crashed worker left behind.

The states (pretix's outbox): QUEUED -> INFLIGHT -> SENT | FAILED | AWAITING_RETRY.
Why each (issue, recipient) gets exactly one message, and what happens to a row caught
mid-send by a crash, is written down in docs/newsletters.md."""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import JobRun
from consortium.smtp import connection_lost, from_domain, send_over, smtp_code

from .models import Delivery, Issue, Subscriber
from .rendering import RenderedIssue, absolute_url, issue_blocks, render_issue
from .tokens import subscription_token

__all__ = ("issue_start_sending", "deliveries_send_batch", "deliveries_sweep", "issue_progress",
           "issues_dispatch_due", "BatchResult", "config")

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Config:
    rate: float  # messages per second per issue; 0 = no limit
    batch_size: int  # rows one task claims and sends over one connection
    lease: int  # seconds a claim holds without renewal before the sweeper may take it back
    retry_delays: tuple  # seconds to wait before attempt 2, 3, …
    max_attempts: int
    concurrency: int  # sending chains started per issue


def config() -> Config:
    return Config(
        rate=float(getattr(settings, "NEWSLETTER_RATE_LIMIT", 20)),
        batch_size=int(getattr(settings, "NEWSLETTER_BATCH_SIZE", 200)),
        lease=int(getattr(settings, "NEWSLETTER_INFLIGHT_LEASE", 300)),
        retry_delays=tuple(getattr(settings, "NEWSLETTER_RETRY_DELAYS", (60, 300, 1800, 7200, 21600))),
        max_attempts=int(getattr(settings, "NEWSLETTER_MAX_ATTEMPTS", 6)),
        concurrency=max(1, int(getattr(settings, "NEWSLETTER_SEND_CONCURRENCY", 1))),
    )


def _enqueue_batches(issue_id: int, count: int = 1, countdown: float = 0) -> None:
    from .tasks import newsletters_send_batch

    for _ in range(count):
        newsletters_send_batch.apply_async(kwargs={"issue_id": issue_id}, countdown=countdown or None)


# ---------------------------------------------------------------- progress


def issue_progress(issue: Issue) -> dict:
    """sent / failed / waiting of total, in one query."""
    counts = dict(issue.deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    sent = counts.get(Delivery.Status.SENT, 0)
    failed = counts.get(Delivery.Status.FAILED, 0)
    waiting = sum(counts.get(status, 0) for status in Delivery.WAITING)
    retrying = counts.get(Delivery.Status.AWAITING_RETRY, 0)
    total = sent + failed + waiting
    return {"sent": sent, "failed": failed, "waiting": waiting, "retrying": retrying, "total": total,
            "percent": round(100 * (sent + failed) / total) if total else 100}


def _progress_message(progress: dict) -> str:
    return _("Sent %(sent)d, failed %(failed)d, waiting %(waiting)d of %(total)d.") % progress


def _report_progress(issue: Issue) -> dict:
    progress = issue_progress(issue)
    if issue.job_run_id:
        # progress_at is the run's sign of life: while deliveries wait for a retry the
        # newsletter sweep reports every minute, so consortium's job-run sweeper leaves it be.
        JobRun.objects.filter(pk=issue.job_run_id).update(
            progress_total=progress["total"], progress_done=progress["sent"] + progress["failed"],
            message=_progress_message(progress), progress_at=timezone.now())
    return progress


def _finish_if_done(issue_id: int, now: datetime | None = None) -> bool:
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status != Issue.Status.SENDING:
            return issue.status == Issue.Status.SENT
        progress = _report_progress(issue)
        if progress["waiting"]:
            return False
        now = now or timezone.now()
        issue.status = Issue.Status.SENT
        issue.sent_at = now
        issue.save(update_fields=["status", "sent_at"])
        if issue.job_run_id:
            JobRun.objects.filter(pk=issue.job_run_id).update(state=JobRun.State.DONE, finished_at=now)
        return True


# ---------------------------------------------------------------- fan-out


def issue_start_sending(*, issue_id: int, now: datetime | None = None) -> int:
    """At the send time: one Delivery per active subscriber, then the sending chains.
    Safe to call twice: the issue row is locked and only an APPROVED issue fans out; the
    unique (issue, email) constraint would stop a second fan-out even so."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status in (Issue.Status.SENDING, Issue.Status.SENT):
            return 0  # already fanned out: a repeated start is a no-op
        if issue.status != Issue.Status.APPROVED:
            raise ValidationError(_("Only an approved issue can be sent; this one is %(status)s.")
                                  % {"status": issue.get_status_display().lower()})
        if issue.send_at and issue.send_at > now:
            raise ValidationError(_("The issue is not due yet: it goes out at the send time."))
        created = 0
        batch = []
        subscribers = Subscriber.objects.active().values_list(
            "pk", "email", "language", "user__language").order_by("pk")
        areas = _areas_by_subscriber()
        for pk, email, language, user_language in subscribers.iterator(chunk_size=2000):
            # A portal user's language follows the one they chose in their own details.
            batch.append(Delivery(issue=issue, subscriber_id=pk, email=email, language=user_language or language,
                                  areas=areas.get(pk, [])))
            if len(batch) >= 2000:
                Delivery.objects.bulk_create(batch, ignore_conflicts=True)
                created += len(batch)
                batch = []
        if batch:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            created += len(batch)
        run = JobRun.objects.create(
            task_name="newsletters.tasks.newsletters_send_batch", label=_("Sending: %(subject)s") % {
                "subject": issue.subject}, created_by=issue.approved_by, state=JobRun.State.RUNNING,
            started_at=now, progress_at=now, progress_total=created)
        issue.status = Issue.Status.SENDING
        issue.sending_started_at = now
        issue.job_run = run
        issue.save(update_fields=["status", "sending_started_at", "job_run"])
        _report_progress(issue)
        issue_pk = issue.pk
        transaction.on_commit(lambda: _enqueue_batches(issue_pk, count=config().concurrency))
    if not created:
        _finish_if_done(issue_pk, now)
    return created


def _areas_by_subscriber() -> dict[int, list[int]]:
    """{subscriber id: sorted area ids} of the active subscribers in any area, in one query."""
    found: dict[int, list[int]] = {}
    pairs = Subscriber.areas.through.objects.filter(subscriber__status=Subscriber.Status.ACTIVE).values_list(
        "subscriber_id", "cooperationarea_id").order_by("subscriber_id", "cooperationarea_id")
    for subscriber_id, area_id in pairs.iterator(chunk_size=5000):
        found.setdefault(subscriber_id, []).append(area_id)
    return found


def issues_dispatch_due(*, now: datetime | None = None) -> list[int]:
    """Start every approved issue whose send time has come (beat, every minute)."""
    now = now or timezone.now()
    started = []
    for issue_id in Issue.objects.filter(status=Issue.Status.APPROVED, send_at__lte=now).values_list("pk", flat=True):
        issue_start_sending(issue_id=issue_id, now=now)
        started.append(issue_id)
    return started


# ---------------------------------------------------------------- one batch


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    next_in: float | None = None  # seconds until the next batch should run; None = nothing left
    finished: bool = False


def _claim(issue_id: int, limit: int, lease: int, now: datetime) -> list[Delivery]:
    """Claim up to `limit` rows that are due. SKIP LOCKED lets two workers claim side by
    side without waiting for or taking each other's rows; the status re-check in the
    UPDATE keeps it right on a database without row locks too."""
    due = Q(status=Delivery.Status.QUEUED) | Q(status=Delivery.Status.AWAITING_RETRY, retry_after__lte=now)
    with transaction.atomic():
        ids = list(Delivery.objects.select_for_update(skip_locked=True).filter(due, issue_id=issue_id)
                   .order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(due, pk__in=ids).update(
            status=Delivery.Status.INFLIGHT, claimed_at=now, lease_until=now + timedelta(seconds=lease),
            attempts=F("attempts") + 1)
        return list(Delivery.objects.filter(pk__in=ids, status=Delivery.Status.INFLIGHT, claimed_at=now)
                    .order_by("pk"))


class _Composer:
    """Builds each recipient's message from one render per (language, areas)."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self.blocks = issue_blocks(issue)
        # Only the areas that have a part in this issue tell two readers' messages apart.
        self.areas_with_parts = frozenset(block.area_id for block in self.blocks if block.area_id)
        self.cache: dict[tuple, RenderedIssue] = {}
        self.base = absolute_url(reverse("newsletters:subscription", args=["TOKEN"]))
        self.one_click = absolute_url(reverse("newsletters:one_click", args=["TOKEN"]))
        self.domain = from_domain()
        self.list_id = f"<newsletter.{self.domain}>"

    def message(self, delivery: Delivery) -> EmailMultiAlternatives:
        key = (delivery.language, frozenset(delivery.areas) & self.areas_with_parts)
        rendered = self.cache.get(key)
        if rendered is None:
            rendered = self.cache[key] = render_issue(self.issue, self.blocks, language=delivery.language,
                                                      areas=key[1])
        token = subscription_token(Subscriber(pk=delivery.subscriber_id, email=delivery.email))
        text, html = rendered.for_recipient(self.base.replace("TOKEN", token))
        message = EmailMultiAlternatives(rendered.subject, text, to=[delivery.email], headers={
            # One id per delivery, the same on a resend: a duplicate after a crash is recognisable.
            "Message-ID": f"<newsletter-{delivery.issue_id}-{delivery.pk}@{self.domain}>",
            "List-Id": self.list_id,
            "List-Unsubscribe": f"<{self.one_click.replace('TOKEN', token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": rendered.language,
        })
        message.attach_alternative(html, "text/html")
        return message


def _retry_or_fail(delivery: Delivery, error: str, cfg: Config, now: datetime) -> str:
    if delivery.attempts >= cfg.max_attempts:
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.INFLIGHT).update(
            status=Delivery.Status.FAILED, error=_("Gave up after %(n)d attempts: %(error)s")
            % {"n": delivery.attempts, "error": error}, lease_until=None)
        return Delivery.Status.FAILED
    delay = cfg.retry_delays[min(delivery.attempts - 1, len(cfg.retry_delays) - 1)] if cfg.retry_delays else 60
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.INFLIGHT).update(
        status=Delivery.Status.AWAITING_RETRY, error=error[:2000], retry_after=now + timedelta(seconds=delay),
        lease_until=None)
    return Delivery.Status.AWAITING_RETRY


def _release(ids: list[int]) -> None:
    """Rows claimed but never tried (the connection died first) go back untouched."""
    if ids:
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.INFLIGHT).update(
            status=Delivery.Status.QUEUED, attempts=F("attempts") - 1, claimed_at=None, lease_until=None)


def deliveries_send_batch(*, issue_id: int, now=timezone.now) -> BatchResult:
    """Claim one batch of this issue's due deliveries and send them over one connection."""
    cfg = config()
    result = BatchResult()
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return result
    claimed = _claim(issue_id, cfg.batch_size, cfg.lease + int(cfg.batch_size / cfg.rate if cfg.rate else 0), now())
    if claimed:
        composer = _Composer(issue)
        # A hung server must fail the send before the claim could be taken back by the
        # sweeper, or the message could go out twice: the timeout stays under the lease.
        timeout = min(float(getattr(settings, "EMAIL_TIMEOUT", None) or 60), cfg.lease / 2)
        backend = get_connection(fail_silently=False, timeout=timeout)
        pending = [d.pk for d in claimed]
        claimed_at = claimed[0].claimed_at
        interval = cfg.concurrency / cfg.rate if cfg.rate else 0.0
        started = time.monotonic()
        last_renewal = last_report = last_leavers = started
        try:
            backend.open()
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("newsletter %s: cannot connect to the mail server: %s", issue_id, exc)
            _release(pending)
            result.next_in = cfg.retry_delays[0] if cfg.retry_delays else 60
            return result
        try:
            for index, delivery in enumerate(claimed):
                if interval:
                    wait = started + index * interval - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                moment = time.monotonic()
                if moment - last_renewal > cfg.lease / 3:
                    # Still alive: keep the claim on the rest of the batch. Rows whose claim
                    # ran out while we were stalled (the sweeper put them back, another worker
                    # may have them now) are no longer ours: they are not sent from here.
                    ours = Delivery.objects.filter(pk__in=pending, status=Delivery.Status.INFLIGHT,
                                                   claimed_at=claimed_at)
                    if ours.update(lease_until=now() + timedelta(seconds=cfg.lease)) < len(pending):
                        pending = list(ours.values_list("pk", flat=True))
                    last_renewal = moment
                if moment - last_leavers > 1.0:
                    # Someone who left while their message waited in this batch gets nothing
                    # more (leaving drops the queued rows; these are already claimed).
                    left = set(Delivery.objects.filter(pk__in=pending).exclude(
                        subscriber__status=Subscriber.Status.ACTIVE).values_list("pk", flat=True))
                    if left:
                        result.failed += Delivery.objects.filter(pk__in=left, status=Delivery.Status.INFLIGHT).update(
                            status=Delivery.Status.FAILED, lease_until=None,
                            error=_("The recipient left the newsletter before this was sent."))
                        pending = [pk for pk in pending if pk not in left]
                    last_leavers = moment
                if delivery.pk not in pending:
                    continue
                try:
                    message = composer.message(delivery)
                    data = message.message().as_bytes(linesep="\r\n")
                except Exception as exc:  # noqa: BLE001 - one message that cannot be built must not stop the rest
                    # Nothing reached the server. Left in flight, the row would be retried with
                    # the whole rest of the batch until all of them "failed after interruptions";
                    # it fails alone, with the reason, and the others go on.
                    log.exception("newsletter %s: cannot compose the message of delivery %s", issue_id, delivery.pk)
                    pending.remove(delivery.pk)
                    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.INFLIGHT).update(
                        status=Delivery.Status.FAILED, lease_until=None,
                        error=(_("The message could not be composed: %(error)s")
                               % {"error": f"{type(exc).__name__}: {exc}"})[:2000])
                    result.failed += 1
                    continue
                try:
                    reply = send_over(backend, message, data)
                except (smtplib.SMTPException, OSError) as exc:  # SMTPException is an OSError too
                    pending.remove(delivery.pk)
                    if connection_lost(exc):
                        # The connection (or the sender) is refused: this row waits for a retry,
                        # the rest go back.
                        _retry_or_fail(delivery, f"{type(exc).__name__}: {exc}", cfg, now())
                        _release(pending)
                        result.retrying += 1
                        result.next_in = cfg.retry_delays[0] if cfg.retry_delays else 60
                        break
                    code = smtp_code(exc)
                    error = f"{type(exc).__name__}: {exc}"
                    if code and 500 <= code < 600:
                        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.INFLIGHT).update(
                            status=Delivery.Status.FAILED, error=error[:2000], lease_until=None)
                        result.failed += 1
                    else:
                        state = _retry_or_fail(delivery, error, cfg, now())
                        result.failed += state == Delivery.Status.FAILED
                        result.retrying += state == Delivery.Status.AWAITING_RETRY
                    continue
                # Accepted by the server: only now is the row marked sent. It is marked even if
                # its claim ran out meanwhile (the sweeper put it back in the queue): the
                # server has the message, and a row left queued would be sent a second time.
                Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
                    status=Delivery.Status.SENT, sent_at=now(), smtp_response=reply,
                    message_id=f"<newsletter-{delivery.issue_id}-{delivery.pk}@{composer.domain}>",
                    error="", lease_until=None)
                pending.remove(delivery.pk)
                result.sent += 1
                if moment - last_report > 1.0:
                    _report_progress(issue)
                    last_report = moment
            # The batch also keeps its last message's slot: the chain starts the next batch at
            # once, and without this its first message went out with no gap, over the limit.
            if interval:
                rest = started + len(claimed) * interval - time.monotonic()
                if rest > 0:
                    time.sleep(rest)
        finally:
            try:
                backend.close()
            except Exception:  # noqa: BLE001 - a close failing after the work is done changes nothing
                log.warning("newsletter %s: closing the SMTP connection failed", issue_id, exc_info=True)
    if result.next_in is None:
        result.next_in = _next_due_in(issue_id, now())
    if result.next_in is None:
        result.finished = _finish_if_done(issue_id)
    else:
        _report_progress(issue)
    return result


def _next_due_in(issue_id: int, now: datetime) -> float | None:
    """0 if rows are due now, seconds until the first retry, or None if nothing is waiting
    for this chain (rows in flight elsewhere are their sender's business)."""
    rows = Delivery.objects.filter(issue_id=issue_id)
    if rows.filter(status=Delivery.Status.QUEUED).exists():
        return 0
    first_retry = rows.filter(status=Delivery.Status.AWAITING_RETRY).order_by("retry_after").values_list(
        "retry_after", flat=True).first()
    if first_retry is None:
        return None
    return max(0.0, (first_retry - now).total_seconds())


# ---------------------------------------------------------------- the sweeper


def deliveries_sweep(*, now: datetime | None = None) -> dict:
    """Beat, every minute. Rows whose claim ran out (the worker died or hung mid-send) go
    back to the queue, or fail after too many attempts; an issue with due rows but no live
    sender gets a new sending chain; an issue with nothing left waiting is finished."""
    now = now or timezone.now()
    cfg = config()
    report = {"requeued": 0, "failed": 0, "restarted": []}
    for issue_id in Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True):
        stale = Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.INFLIGHT, lease_until__lt=now)
        report["failed"] += stale.filter(attempts__gte=cfg.max_attempts).update(
            status=Delivery.Status.FAILED, lease_until=None,
            error=_("Sending was interrupted %(n)d times; given up.") % {"n": cfg.max_attempts})
        requeued = stale.update(
            status=Delivery.Status.QUEUED, lease_until=None,
            error=_("Sending was interrupted (the worker stopped); sent again."))
        report["requeued"] += requeued
        rows = Delivery.objects.filter(issue_id=issue_id)
        due = rows.filter(Q(status=Delivery.Status.QUEUED)
                          | Q(status=Delivery.Status.AWAITING_RETRY, retry_after__lte=now)).exists()
        live = rows.filter(status=Delivery.Status.INFLIGHT, lease_until__gte=now).exists()
        last_claim = rows.aggregate(last=Max("claimed_at"))["last"]
        idle = last_claim is None or last_claim < now - timedelta(seconds=cfg.lease)
        if due and not live and (idle or requeued):
            _enqueue_batches(issue_id)
            report["restarted"].append(issue_id)
        elif not due and not live:
            _finish_if_done(issue_id, now)
    return report
