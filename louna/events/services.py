"""Writes of Louna's events and news. Every rule is enforced here, not only in the form:
who may write for which library, what an event needs, when an item is published."""

import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Library
from consortium.outbox import enqueue_mail_to_user
from consortium.permissions import LOUNA_AREA

from . import permissions
from .models import Item
from .recurrence import MAX_OCCURRENCES, occurrences

__all__ = ("item_check", "item_save", "item_approve", "item_return", "item_delete", "feeds_changed", "FEED_VERSION_KEY")

# Bumped after every change that can alter a feed: the cached feeds' keys carry it.
FEED_VERSION_KEY = "louna_events:feed_version"
# A repeating event may be planned this far ahead at most.
LONGEST_REPEAT = timedelta(days=2 * 366)


def feeds_changed() -> None:
    """Make every cached feed and list stale, once the change is committed."""

    def bump():
        try:
            cache.incr(FEED_VERSION_KEY)
        except ValueError:
            cache.set(FEED_VERSION_KEY, time.time_ns(), None)

    transaction.on_commit(bump)


def item_check(item: Item) -> None:
    """The rules of an item's own fields, each error on its field (the form asks here too)."""
    errors = {}
    if item.is_event:
        if item.starts_at is None:
            errors["starts_at"] = _("An event needs a start time.")
        if item.ends_at is None:
            errors["ends_at"] = _("An event needs an end time.")
        elif item.starts_at and item.ends_at < item.starts_at:
            errors["ends_at"] = _("The event cannot end before it starts.")
        elif item.starts_at and item.ends_at - item.starts_at > timedelta(days=14):
            errors["ends_at"] = _("One event lasts two weeks at most; use repeating for a series.")
    else:
        # News has no time of its own; repeating makes no sense either.
        item.starts_at = item.ends_at = None
        item.repeat, item.repeat_until, item.exception_dates = Item.Repeat.NONE, None, []
    if item.repeat:
        if item.repeat_until is None:
            errors["repeat_until"] = _("Give the last date of a repeating event.")
        elif item.starts_at and not errors:
            first_day = timezone.localtime(item.starts_at).date()
            if item.repeat_until < first_day:
                errors["repeat_until"] = _("The repeating cannot end before the first date.")
            elif item.repeat_until - first_day > LONGEST_REPEAT:
                errors["repeat_until"] = _("A repeating event may be planned two years ahead at most.")
    else:
        item.repeat_until, item.exception_dates = None, []
    if item.image and not (item.image_alt_fi or "").strip():
        errors["image_alt_fi"] = _("Describe the image for those who cannot see it.")
    if item.publish_until and item.publish_until <= item.publish_from:
        errors["publish_until"] = _("The publishing must end after it begins.")
    if errors:
        raise ValidationError(errors)
    if item.repeat and len(occurrences(repeat=item.repeat, starts_at=item.starts_at, ends_at=item.ends_at,
                                       repeat_until=item.repeat_until)) >= MAX_OCCURRENCES:
        raise ValidationError({"repeat_until": _("A repeating event may have %(count)d dates at most.")
                               % {"count": MAX_OCCURRENCES - 1}})


def _normalise_exceptions(values) -> list[str]:
    days = set()
    for value in values or ():
        days.add(value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)).isoformat())
    return sorted(days)


@transaction.atomic
def item_save(*, item: Item, libraries, all_of_louna: bool = False, by, now: datetime | None = None) -> Item:
    """Create or change an item.

    A library's writer writes as their own library, for that library only, and the item
    waits for the coordinator's check (again after every change). The coordinator writes
    shared items (no library), for all of Louna or the libraries chosen, and may write as a
    library; what the coordinator writes is published at once. The coordinator editing a
    library's item keeps it the library's, in the state it was."""
    now = now or timezone.now()
    manage = permissions.can_manage(by)
    is_new = item.pk is None
    if item.pk:
        # The stored row decides whose it is, never what the form sent.
        stored = permissions.restrict_items(Item.objects.select_for_update(), by).filter(pk=item.pk).first()
        if stored is None:
            raise PermissionDenied
        item.library_id, item.state, item.created_by_id = stored.library_id, stored.state, stored.created_by_id
        item.approved_by_id, item.approved_at = stored.approved_by_id, stored.approved_at
        item.check_note = stored.check_note
    elif not permissions.can_write_for(by, item.library_id):
        raise PermissionDenied
    else:
        item.created_by = by
    if not manage and item.library_id is None:
        raise PermissionDenied

    libraries = list(libraries or ())
    louna = set(Library.objects.in_area(LOUNA_AREA).filter(pk__in=[lib.pk for lib in libraries])
                .values_list("pk", flat=True))
    if any(lib.pk not in louna for lib in libraries):
        raise ValidationError({"libraries": _("Choose Louna libraries only.")})
    if item.library_id is not None and not manage:
        # A library writes for itself: whatever was chosen, the item concerns its own library.
        libraries, all_of_louna = [lib for lib in libraries if lib.pk == item.library_id], False
        if not libraries:
            libraries = [Library.objects.get(pk=item.library_id)]
    if not all_of_louna and not libraries:
        raise ValidationError({"libraries": _("Choose the libraries the item concerns, or all of Louna.")})
    item.all_of_louna = all_of_louna
    item.exception_dates = _normalise_exceptions(item.exception_dates)
    if item.publish_from is None:
        item.publish_from = now
    item_check(item)

    if manage and (is_new or item.library_id is None):
        # What the coordinator writes needs no check; editing a library's waiting item
        # leaves the approval to the explicit step.
        item.state = Item.State.PUBLISHED
        if item.approved_at is None:
            item.approved_by, item.approved_at = by, now
    elif not manage:
        # Every change by a library goes past the coordinator again.
        item.state, item.approved_by, item.approved_at = Item.State.PENDING, None, None
    item.full_clean(exclude=["libraries", "municipalities"])
    item.save()
    item.libraries.set([] if all_of_louna else libraries)
    item.municipalities.set([] if all_of_louna else {lib.municipality_id for lib in libraries})
    feeds_changed()
    return item


@transaction.atomic
def item_approve(*, item: Item, by, now: datetime | None = None) -> Item:
    """The coordinator's check: a library's item is published (within its window) and its
    writer is told by mail (through the outbox, sent after commit). The view has checked that
    `by` is the coordinator."""
    # of=("self",): PostgreSQL locks no row of the nullable join (the writer may be gone).
    locked = Item.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=item.pk)
    if locked.state == Item.State.PUBLISHED:
        return locked
    locked.state, locked.approved_by, locked.approved_at = Item.State.PUBLISHED, by, now or timezone.now()
    locked.check_note = ""
    locked.full_clean()
    locked.save(update_fields=["state", "approved_by", "approved_at", "check_note", "updated_at"])
    author = locked.created_by
    if author is not None and author.is_active and author.pk != by.pk:
        # The key holds the moment of approval: a changed item checked again is told again.
        enqueue_mail_to_user(
            user=author, key=f"louna_events.approved:{locked.pk}:{locked.approved_at.timestamp():.0f}",
            kind="louna_events.approved", template="louna_events/mail/approved", about=locked,
            context={"item": locked, "url": settings.SITE_URL.rstrip("/") + reverse("louna_events:detail",
                                                                                   args=[locked.pk])},
        )
    feeds_changed()
    return locked


@transaction.atomic
def item_return(*, item: Item, by, note: str) -> Item:
    """The check found something to change: the item goes back to its library with the
    coordinator's note (and a mail to its writer); the library's next save sends it to the
    check again. The view has checked that `by` is the coordinator."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"check_note": _("Tell the library what to change.")})
    locked = Item.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=item.pk)
    if locked.state != Item.State.PENDING:
        raise ValidationError(_("Only an item waiting for the check can be returned."))
    locked.state, locked.check_note = Item.State.RETURNED, note
    locked.full_clean()
    locked.save(update_fields=["state", "check_note", "updated_at"])
    author = locked.created_by
    if author is not None and author.is_active and author.pk != by.pk:
        enqueue_mail_to_user(
            user=author, key=f"louna_events.returned:{locked.pk}:{locked.updated_at.timestamp():.0f}",
            kind="louna_events.returned", template="louna_events/mail/returned", about=locked,
            context={"item": locked, "note": note,
                     "url": settings.SITE_URL.rstrip("/") + reverse("louna_events:edit", args=[locked.pk])},
        )
    return locked


@transaction.atomic
def item_delete(*, item: Item, by) -> None:
    stored = permissions.restrict_items(Item.objects.select_for_update(), by).filter(pk=item.pk).first()
    if stored is None:
        raise PermissionDenied
    image = stored.image.name
    stored.delete()
    if image:
        # The file goes only once the row is surely gone.
        transaction.on_commit(lambda: stored.image.storage.delete(image))
    feeds_changed()
