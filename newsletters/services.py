"""Writes of the newsletter app: items, the monthly assembly, editing and approving an issue,
subscriptions. Sending lives in sending.py. Every function validates, runs in a
transaction, and raises ValidationError naming the field or row at fault."""

import csv
import hashlib
import io
import posixpath
import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from consortium.calendar import next_working_day, previous_working_day
from consortium.models import CooperationArea, Role, User
from consortium.outbox import enqueue_mail, enqueue_mail_to_user, messages_about
from consortium.selectors import cooperation_areas_of, role_holders
from consortium.registry import newsletter_sections
from consortium.uploads import decode_csv_text, detect_file_type

from .models import MAIL_IMAGE_TYPES, TRANSLATED_LANGUAGES, Block, Issue, Item, Subscriber
from .rendering import absolute_url, escape_markdown, render_issue
from .tokens import confirm_token, subscription_token

__all__ = (
    "item_save", "item_delete", "assembly_day", "issue_assemble_when_due", "issue_assemble", "issue_update",
    "block_update", "block_move", "block_remove",
    "item_add_to_issue", "issue_approve", "issue_unapprove", "issue_send_test", "subscriber_request",
    "subscriber_confirm", "subscriber_subscribe_user", "subscriber_unsubscribe", "subscriber_update",
    "subscribers_import", "ImportReport", "subscriber_export", "subscriber_erase", "normalise_email",
    "item_image_url",
)

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
HEADER_NAMES = {"email", "mail", "emailaddress", "address", "sähköposti", "sähköpostiosoite", "sposti", "osoite",
                "epost", "epostadress", "adress"}
EMAIL_MAX_LENGTH = Subscriber._meta.get_field("email").max_length


def normalise_email(value: str) -> str:
    value = (value or "").strip()
    local, sep, domain = value.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else value


# ---------------------------------------------------------------- items


# The Finnish text by the name of the original field: set through modeltranslation's own
# attribute it would land in the language of whoever happens to be writing.
FINNISH_ALIASES = {"title": "title_fi", "body": "body_fi", "subject": "subject_fi", "intro": "intro_fi"}


def _finnish_names(data: dict) -> dict:
    return {FINNISH_ALIASES.get(key, key): value for key, value in data.items()}


@transaction.atomic
def item_save(*, item: Item | None = None, by: User, data: dict) -> Item:
    item = item or Item(created_by=by)
    if item.issue_id and not item.issue.is_editable:
        raise ValidationError(_("This item is in an issue that is already being sent; it can no longer be changed."))
    for key, value in _finnish_names(data).items():
        setattr(item, key, value)
    # PostgreSQL refuses a NUL in text: the field is named, not a 500 (the form refuses it too).
    nul_fields = {name: ProhibitNullCharactersValidator.message for name, value in _finnish_names(data).items()
                  if isinstance(value, str) and "\x00" in value}
    if nul_fields:
        raise ValidationError(nul_fields)
    if item.image and not item.image_alt:
        raise ValidationError({"image_alt": _("Describe the image for readers who cannot see it.")})
    if item.image and not item.image._committed:  # a new upload: only what mail programs show
        item.image.seek(0)
        kind = detect_file_type(item.image.read(16))
        item.image.seek(0)
        if kind is None or kind[1] not in MAIL_IMAGE_TYPES:
            raise ValidationError({"image": _("Use a JPEG, PNG, GIF or WebP image.")})
    item.full_clean()
    item.save()
    return item


def item_image_url(item: Item) -> str:
    """The public address of an item's image (newsletters.views.item_image), or ''."""
    if not item.image:
        return ""
    return reverse("newsletters:item_image", args=[posixpath.basename(item.image.name)])


@transaction.atomic
def item_delete(*, item: Item) -> None:
    if item.issue_id:
        raise ValidationError(_("This item is already in an issue; remove it from the issue instead."))
    item.delete()


# ---------------------------------------------------------------- the monthly assembly


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month_start(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _subject(month: date, language: str) -> str:
    with translation.override(language):
        return _("Newsletter – %(month)s") % {"month": dateformat.format(month, "F Y")}


def _entry_markdown(entry) -> str:
    title = escape_markdown(entry.title)
    line = f"[{title}]({absolute_url(entry.url)})" if entry.url else f"**{title}**"
    if entry.note:
        line += f" ({escape_markdown(entry.note)})"
    if entry.text:
        line += f"  \n{escape_markdown(entry.text, lines=True)}"
    return f"- {line}"


def _sections_by_language(*, since: datetime, until: datetime, area: CooperationArea | None) -> dict:
    """{key: {language: section}}: each app's section rendered in every language."""
    found: dict = {}
    for language in ("fi", *TRANSLATED_LANGUAGES):
        with translation.override(language):
            for section in newsletter_sections(since=since, until=until, area=area):
                found.setdefault(section.key, {})[language] = section
    return found


def _entry_key(entry) -> tuple:
    return (entry.url, entry.title)


def _section_blocks(issue: Issue, *, since, until) -> list[Block]:
    """The apps' sections: asked once for every member (area None) and once per cooperation
    area; a section for an area becomes a part only that area's readers get."""
    everyone = _sections_by_language(since=since, until=until, area=None)
    asked = [(None, everyone)] + [(area, _sections_by_language(since=since, until=until, area=area))
                                  for area in CooperationArea.objects.order_by("name")]
    blocks = []
    for area, sections in asked:
        for key, by_language in sections.items():
            finnish = by_language.get("fi") or next(iter(by_language.values()))
            # A provider may repeat for an area what every member gets; only the area's
            # extra entries become its part.
            shared = {_entry_key(e) for e in everyone.get(key, {}).get("fi", finnish).entries} \
                if area is not None and key in everyone else set()
            keep = [i for i, entry in enumerate(finnish.entries) if _entry_key(entry) not in shared]
            if not keep:
                continue
            block = Block(issue=issue, kind=Block.Kind.SECTION, source=key, area=area,
                          title=finnish.title[:200])
            block.body = "\n".join(_entry_markdown(finnish.entries[i]) for i in keep)
            for language in TRANSLATED_LANGUAGES:
                translated = by_language.get(language)
                if translated and len(translated.entries) == len(finnish.entries):
                    setattr(block, f"title_{language}", translated.title[:200])
                    setattr(block, f"body_{language}",
                            "\n".join(_entry_markdown(translated.entries[i]) for i in keep))
            block.sort_key = (finnish.order, area is not None)
            blocks.append(block)
    return sorted(blocks, key=lambda b: b.sort_key)


def assembly_day(today: date) -> date:
    """The day of `today`'s month from which the monthly draft is assembled: the configured
    NEWSLETTER_ASSEMBLY_DAY, or the working day before it when that is a weekend or a public
    holiday, so that staff find the draft on a working day. Should that step back into the
    previous month (the 1st, say), the first working day of the month is used instead."""
    configured = date(today.year, today.month, int(getattr(settings, "NEWSLETTER_ASSEMBLY_DAY", 20)))
    day = previous_working_day(configured)
    return day if day.month == configured.month else next_working_day(configured)


def issue_assemble_when_due(*, today: date | None = None) -> Issue | None:
    """The daily beat job: from this month's assembly day on, make sure the month has its
    draft (issue_assemble does nothing when it exists). None before the day."""
    today = today or timezone.localdate()
    if today < assembly_day(today):
        return None
    issue, _created = issue_assemble(today=today)
    return issue


def issue_assemble(*, today: date | None = None, now: datetime | None = None) -> tuple[Issue, bool]:
    """Build this month's draft from the items not yet in an issue and the other apps'
    sections since the last issue. Exactly one issue per month: a second run (or two beat
    runs racing) finds the existing one; the unique month column is the last word."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    month = _month_start(today)
    existing = Issue.objects.filter(month=month).first()
    if existing:
        return existing, False
    previous = Issue.objects.filter(month__lt=month).aggregate(end=Max("period_end"))["end"]
    since = previous or timezone.make_aware(datetime.combine(_previous_month_start(today), datetime.min.time()))
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                month=month, subject_fi=_subject(month, "fi"), subject_sv=_subject(month, "sv"),
                period_start=since, period_end=now, created_at=now,
            )
            blocks = []
            items = list(Item.objects.select_for_update().filter(issue__isnull=True, created_at__lte=now)
                         .order_by("created_at", "pk"))
            for item in items:
                blocks.append(Block(issue=issue, kind=Block.Kind.ITEM, source=f"item:{item.pk}",
                                    area_id=item.area_id, title=item.title_fi, body=item.body_fi,
                                    title_sv=item.title_sv or "", body_sv=item.body_sv or "", link=item.link,
                                    image_url=item_image_url(item), image_alt=item.image_alt))
            blocks.extend(_section_blocks(issue, since=since, until=now))
            for position, block in enumerate(blocks, start=1):
                block.position = position * 10
            Block.objects.bulk_create(blocks)
            Item.objects.filter(pk__in=[item.pk for item in items]).update(issue=issue)
            _tell_staff_draft_ready(issue, parts=len(blocks))
    except IntegrityError:
        # Another run created this month's issue between our check and our insert.
        return Issue.objects.get(month=month), False
    return issue, True


def _tell_staff_draft_ready(issue: Issue, *, parts: int) -> None:
    """Queued with the draft: one message per staff member and issue."""
    url = absolute_url(reverse("newsletters:issue_detail", args=[issue.pk]))
    for user in role_holders(roles=Role.STAFF):
        enqueue_mail_to_user(user=user, key=f"newsletters.draft_ready:{issue.pk}:{user.pk}",
                             kind="newsletters.draft_ready", template="newsletters/mail/draft_ready",
                             context={"issue": issue, "url": url, "count": parts}, about=issue)


# ---------------------------------------------------------------- editing an issue


def _lock_editable(issue: Issue) -> Issue:
    """Lock the issue row; refuse if sending has begun. An approved issue that is edited
    goes back to draft: the approval was for the text as it was."""
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    if not locked.is_editable:
        raise ValidationError(_("This issue is already being sent or has been sent; it can no longer be edited."))
    if locked.status == Issue.Status.APPROVED:
        locked.status = Issue.Status.DRAFT
        locked.send_at = locked.approved_at = locked.approved_by = None
        locked.save(update_fields=["status", "send_at", "approved_at", "approved_by"])
    return locked


@transaction.atomic
def issue_update(*, issue: Issue, data: dict) -> Issue:
    locked = _lock_editable(issue)
    for key, value in _finnish_names(data).items():
        setattr(locked, key, value)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def block_update(*, block: Block, data: dict) -> Block:
    _lock_editable(block.issue)
    for key, value in data.items():
        setattr(block, key, value)
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def block_move(*, block: Block, direction: str) -> None:
    if direction not in ("up", "down"):
        raise ValidationError(_("Unknown direction."))
    issue = _lock_editable(block.issue)
    blocks = list(issue.blocks.order_by("position", "pk"))
    index = next(i for i, b in enumerate(blocks) if b.pk == block.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(blocks):
        blocks[index], blocks[other] = blocks[other], blocks[index]
    for position, each in enumerate(blocks, start=1):
        each.position = position * 10
    Block.objects.bulk_update(blocks, ["position"])


@transaction.atomic
def block_remove(*, block: Block) -> None:
    _lock_editable(block.issue)
    if block.source.startswith("item:"):
        # The item goes back to the pool, so the next issue (or this one again) can take it.
        Item.objects.filter(pk=block.source.split(":", 1)[1], issue=block.issue_id).update(issue=None)
    block.delete()


@transaction.atomic
def item_add_to_issue(*, item: Item, issue: Issue) -> Block:
    issue = _lock_editable(issue)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.issue_id:
        raise ValidationError(_("This item is already in an issue."))
    last = issue.blocks.aggregate(last=Max("position"))["last"] or 0
    block = Block.objects.create(issue=issue, kind=Block.Kind.ITEM, source=f"item:{item.pk}", position=last + 10,
                                 area_id=item.area_id, title=item.title_fi, body=item.body_fi, title_sv=item.title_sv or "",
                                 body_sv=item.body_sv or "", link=item.link,
                                 image_url=item_image_url(item), image_alt=item.image_alt)
    item.issue = issue
    item.save(update_fields=["issue"])
    return block


@transaction.atomic
def issue_approve(*, issue: Issue, by: User, send_at: datetime, now: datetime | None = None) -> Issue:
    now = now or timezone.now()
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    if locked.status != Issue.Status.DRAFT:
        raise ValidationError(_("Only a draft can be approved; this issue is %(status)s.")
                              % {"status": locked.get_status_display().lower()})
    if not locked.blocks.exists():
        raise ValidationError(_("The issue is empty: add at least one item before approving it."))
    locked.clean()  # e.g. a subject that cannot be a mail header
    if send_at is None:
        raise ValidationError({"send_at": _("Choose when the issue is sent.")})
    if send_at < now - timedelta(minutes=5):
        raise ValidationError({"send_at": _("The send time is in the past.")})
    locked.status = Issue.Status.APPROVED
    locked.send_at = max(send_at, now)
    locked.approved_by = by
    locked.approved_at = now
    locked.save(update_fields=["status", "send_at", "approved_by", "approved_at"])
    if locked.send_at <= now + timedelta(seconds=30):
        from .tasks import newsletters_dispatch_due

        newsletters_dispatch_due.delay()
    return locked


@transaction.atomic
def issue_unapprove(*, issue: Issue) -> Issue:
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    if locked.status != Issue.Status.APPROVED:
        raise ValidationError(_("Only an approved issue that has not started sending can go back to draft."))
    return _lock_editable(locked)


def issue_send_test(*, issue: Issue, to: User, now: datetime | None = None) -> None:
    """A test message to the person themselves, in their language, marked [TEST], with
    every part (each area's parts marked as such), queued in the outbox. The key is the
    message's content and the minute: pressing the button twice sends one; after an edit,
    or a minute later, another goes."""
    now = now or timezone.now()
    # The links work if the person is a subscriber; otherwise they lead to "link not valid".
    subscriber = Subscriber.objects.filter(email__iexact=to.email).first() or Subscriber(pk=0, email=to.email)
    rendered = render_issue(issue, language=to.language, areas=None, test=True)
    url = absolute_url(reverse("newsletters:subscription", args=[subscription_token(subscriber)]))
    text, html = rendered.for_recipient(url)
    digest = hashlib.sha256("\0".join((rendered.subject, text, html)).encode()).hexdigest()[:24]
    enqueue_mail_to_user(user=to, key=f"newsletters.test:{issue.pk}:{to.pk}:{digest}:{now:%Y%m%d%H%M}",
                         kind="newsletters.test", template="newsletters/mail/test_send", about=issue,
                         context={"subject": rendered.subject, "text": text, "html": html})


# ---------------------------------------------------------------- subscriptions


def _clean_language(language: str) -> str:
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Unknown language “%(language)s”.") % {"language": language}})
    return language


SUBSCRIBE_MAIL_KINDS = ("newsletters.confirm", "newsletters.already")


def _mail_about_subscribing(subscriber: Subscriber, *, kind: str, template: str, context: dict, now: datetime) -> None:
    """The public form mails whatever address is typed in; without a pause anyone could
    flood a stranger's mailbox with confirmation requests. One such mail per address
    (its subscriber row) per NEWSLETTER_SUBSCRIBE_MAIL_INTERVAL: the link in the first one
    still works, and the form answers the same either way, so it tells nobody whether a
    mail went out. The outbox is the record of what was queued: a rolled-back request
    leaves none, and the rule holds whichever process answers."""
    interval = int(getattr(settings, "NEWSLETTER_SUBSCRIBE_MAIL_INTERVAL", 900))
    if interval > 0:
        recent = messages_about(subscriber).filter(kind__in=SUBSCRIBE_MAIL_KINDS,
                                                   created_at__gt=now - timedelta(seconds=interval))
        if recent.exists():
            return
        # The key names the address's mail for this stretch of time (never two in one).
        slot = int(now.timestamp()) // interval
    else:
        slot = now.strftime("%Y%m%d%H%M%S%f")
    enqueue_mail(to=subscriber.email, language=subscriber.language or "fi", key=f"{kind}:{subscriber.pk}:{slot}",
                 kind=kind, template=template, context={"subscriber": subscriber, **context}, about=subscriber)


@transaction.atomic
def subscriber_request(*, email: str, name: str = "", language: str = "fi", areas=(),
                       detail: str = "", now: datetime | None = None) -> Subscriber:
    """Someone asks to subscribe on the public form: a pending row and a confirmation mail.
    An address already subscribed gets a note instead, so the form never tells a stranger
    whether an address is on the list. Both mails are queued in the outbox, so the form
    never waits on (or reports) the mail server."""
    now = now or timezone.now()
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    language = _clean_language(language)
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    if subscriber and subscriber.status == Subscriber.Status.ACTIVE:
        url = absolute_url(reverse("newsletters:subscription", args=[subscription_token(subscriber)]))
        _mail_about_subscribing(subscriber, kind="newsletters.already", template="newsletters/mail/already",
                                context={"url": url}, now=now)
        return subscriber
    if subscriber is None:
        subscriber = Subscriber(email=email)
    subscriber.name, subscriber.language = name.strip(), language
    subscriber.status = Subscriber.Status.PENDING
    subscriber.consent_method = Subscriber.Method.WEB_FORM
    subscriber.consent_detail = detail[:300]
    subscriber.full_clean()
    subscriber.save()
    subscriber.areas.set(areas)
    url = absolute_url(reverse("newsletters:confirm", args=[confirm_token(subscriber)]))
    _mail_about_subscribing(subscriber, kind="newsletters.confirm", template="newsletters/mail/confirm",
                            context={"url": url}, now=now)
    return subscriber


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber, now: datetime | None = None) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        raise ValidationError(_("This address has left the newsletter; subscribe again to receive it."))
    if subscriber.status == Subscriber.Status.PENDING:
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.consent_at = now or timezone.now()
        subscriber.unsubscribed_at = None  # someone who left and came back is no longer "left"
        subscriber.save(update_fields=["status", "consent_at", "unsubscribed_at"])
    return subscriber


@transaction.atomic
def subscriber_subscribe_user(*, user: User, now: datetime | None = None) -> Subscriber:
    """A portal user subscribes from their own page: the login already proves the address."""
    now = now or timezone.now()
    subscriber = (Subscriber.objects.select_for_update().filter(user=user).first()
                  or Subscriber.objects.select_for_update().filter(email__iexact=user.email).first()
                  or Subscriber(email=normalise_email(user.email)))
    subscriber.user = user
    subscriber.name = subscriber.name or user.full_name
    subscriber.language = user.language if user.language in LANGUAGE_CODES else "fi"
    if subscriber.status != Subscriber.Status.ACTIVE:
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.consent_method = Subscriber.Method.PROFILE
        subscriber.consent_detail = _("Subscribed while logged in as %(email)s") % {"email": user.email}
        subscriber.consent_at = now
        subscriber.unsubscribed_at = None
    subscriber.full_clean()
    subscriber.save()
    # The areas of the libraries the person works in, added to any given before.
    subscriber.areas.add(*cooperation_areas_of(user))
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, now: datetime | None = None) -> Subscriber:
    """Leave at once. Deliveries of an issue still being sent to this address are dropped
    so nothing more arrives after the click."""
    from .models import Delivery

    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now or timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        Delivery.objects.filter(subscriber=subscriber, status__in=[Delivery.Status.QUEUED,
                                                                   Delivery.Status.AWAITING_RETRY]).update(
            status=Delivery.Status.FAILED, error=_("The recipient left the newsletter before this was sent."))
    return subscriber


@transaction.atomic
def subscriber_update(*, subscriber: Subscriber, language: str | None = None, areas=None) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if language is not None:
        subscriber.language = _clean_language(language)
    subscriber.save(update_fields=["language"])
    if areas is not None:
        subscriber.areas.set(areas)
    return subscriber


class ImportReport:
    def __init__(self):
        self.added: list[str] = []
        self.refused: list[tuple[int, str, str]] = []  # (line, address, reason)


def _areas_from_cell(value: str, areas_by_slug: dict) -> tuple[list, list[str]]:
    """The areas named in an import's fourth column (slugs separated by spaces or commas),
    and the names not known."""
    slugs = [slug for slug in re.split(r"[\s,|]+", (value or "").strip().lower()) if slug]
    return [areas_by_slug[slug] for slug in slugs if slug in areas_by_slug], \
        [slug for slug in slugs if slug not in areas_by_slug]


def _is_header(cell: str) -> bool:
    """A first cell naming the e-mail column. Anything else on line 1 is a row like the
    others, so a broken first address is reported instead of dropped as a "header"."""
    name = "".join(char for char in cell.lower() if char.isalpha())
    return name in HEADER_NAMES


@transaction.atomic
def subscribers_import(*, content: bytes, basis: str, by: User, filename: str = "",
                       now: datetime | None = None) -> ImportReport:
    """A CSV of e-mail,name,language,areas (header row optional; ; or , separated; areas by
    slug, separated by spaces). Good rows
    are added; every refused row is reported with its line and reason. People who left are
    never put back by an import: their leaving wins."""
    now = now or timezone.now()
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": _("Say how these people gave their consent.")})
    try:
        text, _encoding = decode_csv_text(content)
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": _("The file is not text (UTF-8 or Windows-1252).")}) from exc
    if not text.strip():
        raise ValidationError({"file": _("The file is empty.")})
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        # E.g. a cell longer than the csv module's field limit (131,072 characters), or a
        # quote left open to the end of the file: nothing was saved, say where it broke.
        raise ValidationError({"file": _("Line %(line)d cannot be read as CSV (%(reason)s); nothing was imported.")
                                       % {"line": reader.line_num, "reason": exc}}) from exc
    report = ImportReport()
    start = 0
    if rows and rows[0] and _is_header(rows[0][0]):
        start = 1  # a header row
    existing = {s.email.lower(): s for s in Subscriber.objects.all().only("email", "status")}
    areas_by_slug = {area.slug: area for area in CooperationArea.objects.all()}
    areas_of_new: dict[str, list] = {}
    seen: dict[str, int] = {}
    detail = _("%(basis)s (import of %(file)s by %(user)s)") % {"basis": basis, "file": filename or "CSV",
                                                                   "user": by.email}
    new = []
    for line, row in enumerate(rows[start:], start=start + 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        email = normalise_email(row[0])
        name = row[1].strip() if len(row) > 1 else ""
        language = (row[2].strip().lower() if len(row) > 2 else "") or "fi"
        areas, unknown_areas = _areas_from_cell(row[3] if len(row) > 3 else "", areas_by_slug)
        try:
            validate_email(email)
        except ValidationError:
            report.refused.append((line, row[0], _("not a valid e-mail address")))
            continue
        if len(email) > EMAIL_MAX_LENGTH:
            # A valid-looking address the column cannot hold would stop the whole import.
            report.refused.append((line, email[:80] + "…", _("address longer than %(max)d characters")
                                   % {"max": EMAIL_MAX_LENGTH}))
            continue
        key = email.lower()
        if key in seen:
            report.refused.append((line, email, _("same address as on line %(line)d") % {"line": seen[key]}))
            continue
        seen[key] = line
        if language not in LANGUAGE_CODES:
            report.refused.append((line, email, _("unknown language “%(language)s” (use fi, sv or en)")
                                   % {"language": language}))
            continue
        if key in existing:
            reason = (_("this person has left the newsletter; an import does not add them back")
                      if existing[key].status == Subscriber.Status.UNSUBSCRIBED else _("already on the list"))
            report.refused.append((line, email, reason))
            continue
        if len(name) > 150:
            report.refused.append((line, email, _("name longer than 150 characters")))
            continue
        if unknown_areas:
            report.refused.append((line, email, _("unknown cooperation area “%(area)s” (use %(known)s)")
                                   % {"area": ", ".join(unknown_areas), "known": ", ".join(sorted(areas_by_slug)) or "–"}))
            continue
        areas_of_new[email] = areas
        new.append(Subscriber(email=email, name=name, language=language,
                              status=Subscriber.Status.ACTIVE, consent_method=Subscriber.Method.IMPORT,
                              consent_detail=detail[:300], consent_at=now, created_at=now))
        report.added.append(email)
    try:
        with transaction.atomic():
            Subscriber.objects.bulk_create(new, batch_size=1000)
            # bulk_create gives the new rows their ids on PostgreSQL and SQLite alike.
            Through = Subscriber.areas.through
            Through.objects.bulk_create([Through(subscriber_id=subscriber.pk, cooperationarea_id=area.pk)
                                         for subscriber in new for area in areas_of_new[subscriber.email]],
                                        batch_size=1000)
    except IntegrityError as exc:
        # Someone subscribed one of these addresses between our check and our insert.
        raise ValidationError({"file": _("Some of these addresses were added to the list at the same moment by "
                                         "someone else; nothing was imported. Import the file again.")}) from exc
    return report


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything the portal keeps about one person's subscription (a data-access request)."""
    deliveries = subscriber.deliveries.select_related("issue").order_by("issue__month")
    stamp = lambda value: value.isoformat() if value else None  # noqa: E731
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "language": subscriber.language,
        "cooperation_areas": sorted(subscriber.areas.values_list("slug", flat=True)),
        "status": subscriber.status,
        "portal_user": subscriber.user.email if subscriber.user_id else None,
        "consent": {"method": subscriber.consent_method, "detail": subscriber.consent_detail,
                    "given_at": stamp(subscriber.consent_at)},
        "created_at": stamp(subscriber.created_at),
        "unsubscribed_at": stamp(subscriber.unsubscribed_at),
        "deliveries": [{"issue": d.issue.subject, "month": d.issue.month.isoformat(), "status": d.status,
                        "sent_at": stamp(d.sent_at), "message_id": d.message_id} for d in deliveries],
    }


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Erase a person on request: the subscription, every delivery record that names them and
    the subscription mail queued for them in the outbox. A delivery being sent at this very
    moment is not erased under the sender's feet."""
    from .models import Delivery

    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.INFLIGHT).exists():
        raise ValidationError(_("A newsletter is being sent to this address right now; try again in a minute."))
    Delivery.objects.filter(email__iexact=subscriber.email).delete()
    messages_about(subscriber).delete()
    subscriber.delete()
