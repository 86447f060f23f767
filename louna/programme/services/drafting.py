"""Drafting the programme: its frame and its items, written by hand, from the
agreement's tasks or carried over from last year."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils import translation
from django.utils.translation import gettext as _

from consortium.models import User

from ...models import Agreement, Task
from ..models import (
    ITEM_TEXT_FIELDS,
    Programme,
    ProgrammeItem,
)


from ._common import _locked, _not_final

__all__ = (
    "programme_create",
    "programme_update",
    "item_save",
    "item_remove",
    "items_draft_from_tasks",
    "items_carry_over",
)



@transaction.atomic
def programme_create(*, year: int, title: str = "", introduction: str = "", agreement: Agreement | None = None,
                     by: User) -> Programme:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    if Programme.objects.filter(year=year).exists():
        raise ValidationError({"year": _("There is already a programme for %(year)d.") % {"year": year}})
    if agreement is None:
        agreement = Agreement.objects.filter(year=year).first()
    elif agreement.year != year:
        raise ValidationError({"agreement": _("The agreement is for %(other)d, not %(year)d.")
                                            % {"other": agreement.year, "year": year}})
    with translation.override(settings.LANGUAGE_CODE):  # the programme is a Finnish document
        default_title = _("Louna libraries' action programme %(year)d") % {"year": year}
    title = (title or "").strip() or default_title
    try:
        with transaction.atomic():
            return Programme.objects.create(year=year, title=title[:200], introduction=(introduction or "").strip(),
                                            agreement=agreement)
    except IntegrityError as error:
        raise ValidationError({"year": _("There is already a programme for %(year)d.") % {"year": year}}) from error


@transaction.atomic
def programme_update(*, programme: Programme, title: str, introduction: str, by: User) -> Programme:
    programme = _locked(programme)
    _not_final(programme)
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the programme a title.")})
    programme.title, programme.introduction = title.strip()[:200], (introduction or "").strip()
    programme.save(update_fields=["title", "introduction"])
    return programme


def _check_area(item: ProgrammeItem) -> None:
    if item.area_id and item.programme.agreement_id and item.area.agreement_id != item.programme.agreement_id:
        raise ValidationError({"area": _("The service area belongs to another year's agreement.")})


@transaction.atomic
def item_save(*, item: ProgrammeItem, libraries=None, by: User) -> ProgrammeItem:
    programme = _locked(item.programme)
    _not_final(programme)
    for name in ITEM_TEXT_FIELDS:
        setattr(item, name, (getattr(item, name) or "").strip())
    if not item.title:
        raise ValidationError({"title": _("Give the item a title.")})
    _check_area(item)
    if item.pk is None and not item.position:
        last = programme.items.order_by("-position").values_list("position", flat=True).first()
        item.position = (last or 0) + 10
    item.full_clean(exclude=["programme", "area", "from_task"])
    item.save()
    if libraries is not None:
        item.libraries.set(libraries)
    return item


@transaction.atomic
def item_remove(*, item: ProgrammeItem, by: User) -> None:
    """An item never published is deleted; a published one is marked removed, so the next
    version shows it gone while its comments stay with the versions they answered."""
    _not_final(_locked(item.programme))
    if item.versions.exists():
        item.is_removed = True
        item.save(update_fields=["is_removed"])
    else:
        item.delete()


def _schedule_text(task: Task) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored text of a Finnish document
        if task.schedule == Task.Schedule.DUE_DATE and task.due_on:
            return _("by %(date)s") % {"date": date_format(task.due_on, "SHORT_DATE_FORMAT")}
        return str(task.get_schedule_display())


def _short_title(text: str, limit: int = 120) -> str:
    """A task's opening words as the item's title; the whole task goes to the measures."""
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    head = text.split(" (", 1)[0]
    if len(head) <= limit:
        return head
    cut = head[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


@transaction.atomic
def items_draft_from_tasks(*, programme: Programme, tasks, by: User) -> list[ProgrammeItem]:
    """One draft item per chosen task of the programme's agreement; a task already drafted
    into this programme is skipped."""
    programme = _locked(programme)
    _not_final(programme)
    if programme.agreement_id is None:
        raise ValidationError({"tasks": _("The programme has no service agreement to draft from.")})
    tasks = list(tasks)
    if not tasks:
        raise ValidationError({"tasks": _("Choose at least one task.")})
    foreign = [task for task in tasks if task.area.agreement_id != programme.agreement_id]
    if foreign:
        raise ValidationError({"tasks": _("The task “%(task)s” is not in this year's agreement.")
                                        % {"task": foreign[0].text[:80]}})
    done = set(programme.items.filter(from_task__isnull=False).values_list("from_task_id", flat=True))
    last = programme.items.order_by("-position").values_list("position", flat=True).first() or 0
    new = []
    for task in tasks:
        if task.pk in done:
            continue
        last += 10
        title = _short_title(task.text)
        new.append(ProgrammeItem(
            programme=programme, area=task.area, position=last, title=title, measures=task.text,
            responsible=task.responsible.full_name if task.responsible_id else "", schedule=_schedule_text(task),
            from_task=task,
        ))
    return ProgrammeItem.objects.bulk_create(new)


@transaction.atomic
def items_carry_over(*, programme: Programme, by: User) -> list[ProgrammeItem]:
    """Bring into this year's draft the items last year's programme moved to this year;
    an item already brought is skipped."""
    programme = _locked(programme)
    _not_final(programme)
    previous = Programme.objects.filter(year=programme.year - 1, state=Programme.State.FINAL).first()
    if previous is None:
        raise ValidationError(_("There is no final programme for %(year)d.") % {"year": programme.year - 1})
    moved = list(previous.items.filter(state=ProgrammeItem.State.MOVED, is_removed=False).order_by("position"))
    brought = set(programme.items.values_list("title", flat=True))
    areas = {}
    if programme.agreement_id:
        areas = {area.number: area for area in programme.agreement.areas.all()}
    last = programme.items.order_by("-position").values_list("position", flat=True).first() or 0
    new = []
    for item in moved:
        if item.title in brought:
            continue
        last += 10
        new.append(ProgrammeItem(
            programme=programme, area=areas.get(item.area.number) if item.area_id else None, position=last,
            **{name: getattr(item, name) for name in ITEM_TEXT_FIELDS},
        ))
    return ProgrammeItem.objects.bulk_create(new)

