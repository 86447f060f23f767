"""Writes of SUSHI harvesting: saving an account (its credentials encrypted), asking for a
period, the monthly plan, and the harvest itself (claim, fetch, import, record). Each write
runs in a transaction; the network is never asked inside one.

A harvest row goes pending -> running (claimed under a lease) -> done / empty / retry /
not_ready / failed / credentials. The import and the row's new state commit together, and
the import is keyed by account, report and month (stats.services.counter_import_save's
`source_key`), so a worker killed at any point leaves either nothing or both, and the row
taken again after its lease imports the month once."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Role
from consortium.outbox import enqueue_mail_to_user
from consortium.selectors import role_holders
from stats.counter import REPORT_IDS, parse_counter
from stats.services import counter_import_save

from .client import Classified, Outcome, SushiClient, classify
from .crypto import CredentialsUnreadable
from .models import SECRET_FIELDS, Harvest, SushiAccount

__all__ = ("month_start", "account_save", "harvest_request", "harvest_retry", "harvests_plan_month",
           "harvest_claim", "harvest_one", "harvest_due", "connection_test", "client_for", "MAX_MONTHS")

log = logging.getLogger(__name__)
State = Harvest.State
MAX_MONTHS = 36


def month_start(day: date) -> date:
    return day.replace(day=1)


def _months(begin: date, end: date) -> list[date]:
    months, month = [], month_start(begin)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _previous_month(today: date) -> date:
    return (month_start(today) - timedelta(days=1)).replace(day=1)


# ---------------------------------------------------------------- accounts


@transaction.atomic
def account_save(*, account: SushiAccount | None = None, data: dict, secrets: dict, by) -> SushiAccount:
    """Create or change an account. `secrets` holds the credentials typed in: an empty one
    keeps what is stored. New credentials resume an account stopped for refused ones, and
    its months waiting for them are asked again."""
    account = account or SushiAccount()
    if account.pk:
        account = SushiAccount.objects.select_for_update().get(pk=account.pk)
    for name, value in data.items():
        setattr(account, name, value)
    unknown = [report for report in account.reports if report not in REPORT_IDS]
    if unknown or not account.reports:
        raise ValidationError({"reports": _("Choose at least one COUNTER report.")})
    replaced = False
    for name in SECRET_FIELDS:
        value = (secrets.get(name) or "").strip()
        if value:
            if "\x00" in value or len(value) > 500:
                raise ValidationError({name: _("The value is not a valid identifier.")})
            account.set_secret(name, value)
            replaced = True
    if not account.has_secret("customer_id"):
        raise ValidationError({"customer_id": _("The customer id is required.")})
    account.full_clean()
    if replaced and account.pk and account.is_stopped:
        account.stopped_at, account.stopped_reason = None, ""
        account.credentials_version += 1
        account.save()
        waiting = Harvest.objects.filter(account=account, state=State.CREDENTIALS)
        if waiting.update(state=State.PENDING, next_attempt_at=timezone.now(), attempts=0, error=""):
            _kick()
        return account
    account.save()
    return account


def client_for(account: SushiAccount, *, timeout: float | None = None) -> SushiClient:
    return SushiClient(url=account.url, release=account.release, customer_id=account.secret("customer_id"),
                       requestor_id=account.secret("requestor_id"), api_key=account.secret("api_key"),
                       platform=account.platform, timeout=timeout)


@dataclass
class ConnectionTest:
    ok: bool = False
    status_lines: list = field(default_factory=list)
    reports: list = field(default_factory=list)  # (Report_ID, Report_Name)
    problems: list = field(default_factory=list)


def connection_test(*, account: SushiAccount) -> ConnectionTest:
    """Ask the endpoint's /status and /reports (no database write) and say what came back."""
    result = ConnectionTest()
    try:
        # A person waits for this answer: never longer than 20 s, whatever a harvest may wait.
        client = client_for(account, timeout=min(settings.SUSHI_TIMEOUT, 20))
    except CredentialsUnreadable:
        result.problems.append(_("The stored credentials cannot be read with the current key; enter them again."))
        return result
    status = client.status()
    verdict = classify(status, release=account.release)
    if status.transport_error:
        result.problems.append(status.transport_error)
        return result
    entries = status.document if isinstance(status.document, list) else [status.document]
    for entry in entries:
        if isinstance(entry, dict) and ("Service_Active" in entry or "Description" in entry):
            active = entry.get("Service_Active")
            line = _("Service active") if active in (True, "true", "True") else _("Service not active")
            if entry.get("Description"):
                line += f": {entry['Description']}"
            result.status_lines.append(client.redact(str(line))[:300])
            for alert in entry.get("Alerts") or []:
                if isinstance(alert, dict):
                    result.status_lines.append(client.redact(str(alert.get("Alert", "")))[:300])
    for exception in verdict.exceptions:
        result.problems.append(client.redact(f"{exception['Code']} {exception['Message']}"))
    if not status.is_json:
        result.problems.append(_("/status did not answer COUNTER_SUSHI JSON (HTTP %(status)s).")
                               % {"status": status.status})
    listing = client.reports()
    if listing.transport_error:
        result.problems.append(listing.transport_error)
    elif isinstance(listing.document, list):
        result.reports = [(str(item.get("Report_ID", ""))[:10], client.redact(str(item.get("Report_Name", "")))[:120])
                          for item in listing.document if isinstance(item, dict)]
    else:
        for exception in classify(listing, release=account.release).exceptions:
            result.problems.append(client.redact(f"{exception['Code']} {exception['Message']}"))
        if not listing.is_json:
            result.problems.append(_("/reports did not answer COUNTER_SUSHI JSON (HTTP %(status)s).")
                                   % {"status": listing.status})
    result.ok = not result.problems and bool(result.reports)
    return result


# ---------------------------------------------------------------- asking for months


def _kick() -> None:
    from .tasks import harvest_due_task

    harvest_due_task.delay()


def _reset(rows, *, by, now) -> int:
    return rows.exclude(state=State.RUNNING).update(state=State.PENDING, attempts=0, next_attempt_at=now, error="",
                                                    exceptions=[], requested_by=by, claim="", claimed_until=None)


@transaction.atomic
def harvest_request(*, account: SushiAccount, begin: date, end: date, reports=None, by, today: date | None = None) -> int:
    """Ask for every month from `begin` to `end` (each report of the account, or `reports`)
    again, whatever was harvested before: an import already there is replaced (or kept,
    if the vendor answers the same). Months being harvested right now are left alone."""
    today = today or timezone.localdate()
    begin, end = month_start(begin), month_start(end)
    if begin > end:
        raise ValidationError({"end": _("The last month is before the first.")})
    if end >= month_start(today):
        raise ValidationError({"end": _("The last month must be a month that has ended.")})
    months = _months(begin, end)
    if len(months) > MAX_MONTHS:
        raise ValidationError({"begin": _("Ask for at most %(count)d months at a time.") % {"count": MAX_MONTHS}})
    account = SushiAccount.objects.select_for_update().get(pk=account.pk)
    if account.is_stopped:
        raise ValidationError(_("The vendor refused this account's credentials: enter new ones first."))
    reports = [report for report in (reports or account.reports) if report in account.reports]
    now = timezone.now()
    existing = set(Harvest.objects.filter(account=account, report_id__in=reports, month__in=months)
                   .values_list("report_id", "month"))
    Harvest.objects.bulk_create([Harvest(account=account, report_id=report, month=month, next_attempt_at=now,
                                         requested_by=by)
                                 for report in reports for month in months if (report, month) not in existing])
    _reset(Harvest.objects.filter(account=account, report_id__in=reports, month__in=months,
                                  state__in=[s for s in State.values if s != State.PENDING]), by=by, now=now)
    _kick()
    return len(reports) * len(months)


@transaction.atomic
def harvest_retry(*, harvest: Harvest, by) -> Harvest:
    row = Harvest.objects.select_for_update(of=("self",)).select_related("account").get(pk=harvest.pk)
    if row.account.is_stopped:
        raise ValidationError(_("The vendor refused this account's credentials: enter new ones first."))
    if row.state == State.RUNNING:
        raise ValidationError(_("This month is being harvested right now."))
    _reset(Harvest.objects.filter(pk=row.pk), by=by, now=timezone.now())
    _kick()
    row.refresh_from_db()
    return row


@transaction.atomic
def harvests_plan_month(*, today: date | None = None) -> int:
    """The monthly run (beat, after the 15th): last month for every report of every active
    account, and once more the months whose usage was not ready last time."""
    today = today or timezone.localdate()
    month, now = _previous_month(today), timezone.now()
    accounts = list(SushiAccount.objects.filter(active=True, stopped_at__isnull=True))
    existing = set(Harvest.objects.filter(account__in=accounts, month=month).values_list("account_id", "report_id"))
    created = Harvest.objects.bulk_create([
        Harvest(account=account, report_id=report, month=month, next_attempt_at=now)
        for account in accounts for report in account.reports if (account.pk, report) not in existing])
    again = Harvest.objects.filter(account__in=accounts, state=State.NOT_READY).update(
        state=State.PENDING, next_attempt_at=now)
    return len(created) + again


# ---------------------------------------------------------------- harvesting


def harvest_claim(*, now=None, limit: int = 20) -> list[tuple[int, str]]:
    """Take up to `limit` due rows (pending, retry whose time has come, or running under a
    lease that ran out: its worker died) for this worker. SKIP LOCKED: two workers never
    take the same row."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = (Q(state__in=Harvest.DUE_STATES) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        state=State.RUNNING, claimed_until__lt=now)
    with transaction.atomic():
        ids = list(Harvest.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(due, account__stopped_at__isnull=True)
                   .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        Harvest.objects.filter(pk__in=ids).update(state=State.RUNNING, claim=token,
                                                  claimed_until=now + timedelta(seconds=settings.SUSHI_LEASE))
    return [(pk, token) for pk in ids]


def _retry_at(attempts: int, now):
    delays = settings.SUSHI_RETRY_DELAYS
    return now + timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _tell_coordinators(account: SushiAccount, reason: str) -> None:
    people = list(role_holders(roles=Role.COORDINATOR)) or list(role_holders(roles=Role.STAFF))
    for person in people:
        enqueue_mail_to_user(user=person, key=f"stats_sushi.credentials:{account.pk}:{account.credentials_version}:"
                                              f"{person.pk}",
                             kind="stats_sushi.credentials", template="stats_sushi/mail/credentials_refused",
                             context={"account": account, "reason": reason}, about=account)


def _finish(row: Harvest, verdict: Classified, *, body: bytes, client: SushiClient, now) -> None:
    row.exceptions = [{**e, "Message": client.redact(e["Message"]), "Data": client.redact(e["Data"])}
                      for e in verdict.exceptions]
    row.error = client.redact(verdict.error)[:1000]
    row.claim, row.claimed_until, row.next_attempt_at = "", None, None
    outcome = verdict.outcome
    if outcome == Outcome.IMPORT:
        report = parse_counter(body)
        # The period's first and last day (2026-10-01 to 2026-10-31) against the month asked.
        if not report.errors and (report.begin.replace(day=1), report.end.replace(day=1)) != (row.month, row.month):
            row.error = _("The answer covers %(begin)s–%(end)s, not the month asked.") % {
                "begin": report.begin, "end": report.end}
            outcome = Outcome.FAILED
        elif not report.errors and report.report_id != row.report_id:
            row.error = _("The answer is report %(found)s, not %(asked)s.") % {"found": report.report_id,
                                                                              "asked": row.report_id}
            outcome = Outcome.FAILED
        else:
            try:
                row.stats_import = counter_import_save(
                    data=body, file_name=f"SUSHI {row.account.service_name} {row.report_id} {row.month:%Y-%m}.json",
                    by=row.requested_by, source_key=row.source_key)
            except ValidationError as error:
                row.error = client.redact(" ".join(error.messages))[:1000]
                outcome = Outcome.FAILED
    if outcome == Outcome.IMPORT:
        row.state = State.DONE
    elif outcome == Outcome.EMPTY:
        # An import of an earlier harvest stays: a vendor answering "no usage" later is not
        # taken as deleting figures it once reported (a person can revert that import).
        row.state = State.EMPTY
    elif outcome == Outcome.NOT_READY:
        row.state = State.NOT_READY
    elif outcome == Outcome.RETRY and row.attempts < settings.SUSHI_MAX_ATTEMPTS:
        row.state, row.next_attempt_at = State.RETRY, _retry_at(row.attempts, now)
    elif outcome == Outcome.RETRY:
        row.state = State.FAILED
        row.error = (_("Gave up after %(count)d attempts.") % {"count": row.attempts} + " " + row.error).strip()
    elif outcome == Outcome.CREDENTIALS:
        row.state = State.CREDENTIALS
        account = SushiAccount.objects.select_for_update().get(pk=row.account_id)
        if not account.is_stopped:
            account.stopped_at, account.stopped_reason = now, row.exception_text[:500]
            account.save(update_fields=["stopped_at", "stopped_reason", "updated_at"])
            _tell_coordinators(account, account.stopped_reason)
    else:
        row.state = State.FAILED
    row.finished_at = now
    row.save()


def harvest_one(*, harvest_id: int, claim: str, now=None) -> str | None:
    """Fetch one claimed row's report and record what came back. Returns the new state, or
    None when the row is no longer ours (its lease ran out and another worker took it)."""
    row = Harvest.objects.select_related("account").get(pk=harvest_id)
    if row.state != State.RUNNING or row.claim != claim:
        return None
    # Count the attempt and renew the lease from now: the claim may have waited its turn.
    if not Harvest.objects.filter(pk=row.pk, claim=claim, state=State.RUNNING).update(
            attempts=F("attempts") + 1, claimed_until=timezone.now() + timedelta(seconds=settings.SUSHI_LEASE)):
        return None
    row.attempts += 1
    try:
        client = client_for(row.account)
    except CredentialsUnreadable:
        client = SushiClient(url=row.account.url, release=row.account.release, customer_id="")
        verdict, body = Classified(Outcome.FAILED, error=_("The stored credentials cannot be read with the current "
                                                          "key; enter them again.")), b""
    else:
        answer = client.report(row.report_id, row.month)
        verdict, body = classify(answer, release=row.account.release), answer.body
    now = now or timezone.now()
    with transaction.atomic():
        locked = Harvest.objects.select_for_update(of=("self",)).select_related("account", "requested_by").get(pk=row.pk)
        if locked.state != State.RUNNING or locked.claim != claim:
            return None
        locked.attempts = row.attempts
        _finish(locked, verdict, body=body, client=client, now=now)
    log.info("SUSHI harvest %s %s %s: %s", row.account_id, row.report_id, f"{row.month:%Y-%m}", locked.state)
    return locked.state


def harvest_due(*, now=None, limit: int = 1, rounds: int = 500) -> dict:
    """Harvest what is due, until nothing is (or `rounds` claims). One row per claim by
    default: a vendor may take minutes per answer, and a row claimed long before its turn
    would see its lease run out and be taken by a second worker (harmless, as its claim
    token no longer matches, but a wasted request)."""
    counts: dict = {}
    for _round in range(rounds):
        claimed = harvest_claim(now=now, limit=limit)
        if not claimed:
            break
        for harvest_id, token in claimed:
            state = harvest_one(harvest_id=harvest_id, claim=token, now=now)
            if state:
                counts[state] = counts.get(state, 0) + 1
    return counts
