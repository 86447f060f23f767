"""Following the items through the year: progress notes and the people who follow an item."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.outbox import enqueue_mail_to_user
from consortium.models import User

from ..models import (
    ItemFollower,
    ItemProgress,
    ProgrammeItem,
)



__all__ = (
    "progress_record",
    "followers_notify",
    "item_follow",
)



@transaction.atomic
def progress_record(*, item: ProgrammeItem, state: str, percent: int, note: str = "", on: date | None = None,
                    by: User) -> ItemProgress:
    item = ProgrammeItem.objects.select_for_update().select_related("programme").get(pk=item.pk)
    if not item.programme.is_final:
        raise ValidationError(_("Items are followed once the programme is final."))
    if item.is_removed:
        raise ValidationError(_("This item was removed from the programme."))
    if state not in ProgrammeItem.State.values:
        raise ValidationError({"state": _("Unknown state.")})
    if percent is None or not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Give the progress as a whole number from 0 to 100.")})
    note = (note or "").strip()
    if state in (ProgrammeItem.State.MOVED, ProgrammeItem.State.DROPPED) and not note:
        raise ValidationError({"note": _("Say why the item was moved or dropped.")})
    if state == ProgrammeItem.State.DONE:
        percent = 100
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if state == item.state and percent == item.percent and not note:
        raise ValidationError({"note": _("Nothing changed; write a note to record progress.")})
    before = item.state
    entry = ItemProgress.objects.create(item=item, on=on, state=state, percent=percent, note=note,
                                        state_before=before if before != state else "", author=by)
    item.state, item.percent = state, percent
    fields = ["state", "percent"]
    if before != state:
        item.state_changed_at = timezone.now()
        fields.append("state_changed_at")
        followers_notify(progress_id=entry.pk)
    item.save(update_fields=fields)
    return entry


def followers_notify(*, progress_id: int) -> int:
    entry = ItemProgress.objects.select_related("item__programme").get(pk=progress_id)
    item = entry.item
    sent = 0
    for follow in ItemFollower.objects.filter(item=item).select_related("user"):
        if not follow.user.is_active or follow.user_id == entry.author_id:
            continue
        enqueue_mail_to_user(
            user=follow.user, key=f"louna.programme.state:{entry.pk}:{follow.user_id}",
            kind="louna.programme.state", template="louna/programme/mail/state_changed", about=item,
            context={"item": item, "entry": entry, "programme": item.programme,
                     "url": settings.SITE_URL + reverse("louna:programme_item", args=[item.programme.year, item.pk])})
        sent += 1
    return sent


@transaction.atomic
def item_follow(*, item: ProgrammeItem, user: User, follow: bool) -> bool:
    if follow:
        ItemFollower.objects.get_or_create(item=item, user=user)
    else:
        ItemFollower.objects.filter(item=item, user=user).delete()
    return follow

