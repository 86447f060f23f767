"""Writes of Louna. Each service validates its input, runs in one transaction, and is the
only way views, forms and tasks change these objects. A refusal is a ValidationError
naming the field, so the form shows it where the person typed."""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.formats import date_format
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.calendar import next_working_day, previous_working_day
from consortium.models import Library, OutboxMessage, Role, User
from consortium.outbox import enqueue_mail_to_user
from consortium.permissions import LOUNA_AREA
from consortium.selectors import role_holders

from .files import checked_upload
from .selectors import meeting_libraries, meeting_year
from .models import (
    AccessibilityCheck,
    AccessibilityFinding,
    AgendaItem,
    Agreement,
    AgreementDocument,
    Decision,
    Feedback,
    Meeting,
    Milestone,
    Project,
    ProjectNote,
    ServiceArea,
    Task,
    TaskEvidence,
    TaskMunicipality,
    TaskNote,
    WebService,
)

__all__ = (
    "agreement_save",
    "agreement_copy",
    "agreement_document_add",
    "area_save",
    "task_save",
    "task_set_state",
    "task_note_add",
    "task_evidence_add",
    "task_municipality_set",
    "meeting_save",
    "agenda_item_propose",
    "agenda_item_arrange",
    "agenda_item_withdraw",
    "meeting_send_agenda",
    "meeting_agenda_mail",
    "meeting_record_minutes",
    "decision_add",
    "task_from_decision",
    "feedback_save",
    "web_service_save",
    "accessibility_check_save",
    "accessibility_finding_save",
    "accessibility_reminder_mail",
    "project_save",
    "milestone_save",
    "milestone_mark_reached",
    "project_note_add",
)


def _in_year(agreement: Agreement, day: date | None, field: str) -> None:
    if day is not None and day.year != agreement.year:
        raise ValidationError({field: _("The date %(date)s is outside the agreement's year %(year)d.")
                                      % {"date": date_format(day, "SHORT_DATE_FORMAT"), "year": agreement.year}})


# ---------------------------------------------------------------- agreements


@transaction.atomic
def agreement_save(*, agreement: Agreement, libraries=None) -> Agreement:
    for field in ("starts_on", "ends_on"):
        _in_year(agreement, getattr(agreement, field), field)
    if agreement.starts_on and agreement.ends_on and agreement.ends_on < agreement.starts_on:
        raise ValidationError({"ends_on": _("The period cannot end before it starts.")})
    clash = Agreement.objects.filter(year=agreement.year).exclude(pk=agreement.pk).exists()
    if clash:
        raise ValidationError({"year": _("There is already an agreement for %(year)d.") % {"year": agreement.year}})
    agreement.full_clean()
    agreement.save()
    _join_meetings_of_the_year(agreement)
    if libraries is not None:
        agreement.libraries.set(libraries)
        # Tasks followed per municipality get a row for a library that joined.
        for task in Task.objects.filter(area__agreement=agreement, per_municipality=True).select_related("area"):
            _ensure_municipal_rows(task)
    return agreement


def _shift_day(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _shift_due_day(day: date | None, years: int) -> date | None:
    """A task's due date in the copied year: the same day of the month falls on another
    weekday, so a weekend or a public holiday moves on to the next working day — or back to
    the one before when moving on would leave the year (a task due on 31 December)."""
    shifted = _shift_day(day, years)
    if shifted is None:
        return None
    moved = next_working_day(shifted)
    return moved if moved.year == shifted.year else previous_working_day(shifted)


def _shift_years_in_text(text: str, source_year: int, years: int) -> str:
    """'vuoden 2024 … vuoden 2025 alussa' becomes 'vuoden 2025 … vuoden 2026 alussa': the
    agreement's year and the year after it move together; other years stay."""
    moving = {source_year, source_year + 1}
    return re.sub(r"\b(20\d\d)\b", lambda m: str(int(m.group(1)) + years) if int(m.group(1)) in moving
                  else m.group(1), text)


@transaction.atomic
def agreement_copy(*, source: Agreement, year: int, shift_years_in_texts: bool = True, by=None) -> Agreement:
    """Start `year`'s agreement from `source`: the same areas and tasks, every task back to
    planned, due dates moved by the difference of the years. Refused if `year` exists."""
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    if Agreement.objects.select_for_update().filter(year=year).exists():
        raise ValidationError({"year": _("There is already an agreement for %(year)d; it was not changed.")
                                      % {"year": year}})
    years = year - source.year

    def text(value):
        return _shift_years_in_text(value, source.year, years) if shift_years_in_texts else value

    try:
        copy = Agreement.objects.create(
            year=year, title=text(source.title), provider=source.provider, introduction=text(source.introduction),
            starts_on=_shift_day(source.starts_on, years), ends_on=_shift_day(source.ends_on, years),
            copied_from=source,
        )
    except IntegrityError as error:  # a copy made at the same moment by someone else
        raise ValidationError({"year": _("There is already an agreement for %(year)d.") % {"year": year}}) from error
    _join_meetings_of_the_year(copy)
    libraries = list(source.libraries.all())
    copy.libraries.set(libraries)
    areas = list(source.areas.prefetch_related("tasks__municipal_states").order_by("number"))
    new_areas = ServiceArea.objects.bulk_create([
        ServiceArea(agreement=copy, number=area.number, title=text(area.title), description=text(area.description))
        for area in areas
    ])
    new_tasks, old_tasks = [], []
    for area, new_area in zip(areas, new_areas, strict=True):
        for task in area.tasks.all():
            old_tasks.append(task)
            new_tasks.append(Task(
                area=new_area, number=task.number, text=text(task.text), responsible_id=task.responsible_id,
                schedule=task.schedule, due_on=_shift_due_day(task.due_on, years), state=Task.State.PLANNED,
                per_municipality=task.per_municipality, copied_from=task,
            ))
    new_tasks = Task.objects.bulk_create(new_tasks)
    TaskMunicipality.objects.bulk_create([
        TaskMunicipality(task=new_task, library_id=row.library_id)
        for old_task, new_task in zip(old_tasks, new_tasks, strict=True)
        for row in old_task.municipal_states.all()
    ])
    return copy


@transaction.atomic
def agreement_document_add(*, agreement: Agreement, title: str, upload, by) -> AgreementDocument:
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the document a title.")})
    name, data, mimetype = checked_upload(upload)
    document = AgreementDocument(agreement=agreement, title=title.strip(), content_type=mimetype, size=len(data),
                                 uploaded_by=by)
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    return document


@transaction.atomic
def area_save(*, area: ServiceArea) -> ServiceArea:
    clash = ServiceArea.objects.filter(agreement=area.agreement, number=area.number).exclude(pk=area.pk).exists()
    if clash:
        raise ValidationError({"number": _("The agreement already has an area number %(number)d.")
                                        % {"number": area.number}})
    area.full_clean()
    area.save()
    return area


# ---------------------------------------------------------------- tasks


def _check_task(task: Task) -> None:
    agreement = task.area.agreement
    _in_year(agreement, task.due_on, "due_on")
    if task.schedule == Task.Schedule.DUE_DATE and task.due_on is None:
        raise ValidationError({"due_on": _("A task scheduled by a due date needs the due date.")})
    if task.state == Task.State.NOT_NEEDED and not task.not_needed_reason.strip():
        raise ValidationError({"not_needed_reason": _("Say why the task is not needed this year.")})
    if task.state != Task.State.NOT_NEEDED:
        task.not_needed_reason = ""


def _ensure_municipal_rows(task: Task) -> None:
    if not task.per_municipality:
        return
    existing = set(task.municipal_states.values_list("library_id", flat=True))
    TaskMunicipality.objects.bulk_create([
        TaskMunicipality(task=task, library=library)
        for library in task.area.agreement.libraries.all() if library.pk not in existing
    ])


@transaction.atomic
def task_save(*, task: Task, by=None) -> Task:
    """Create or edit a task's text, person and schedule. The state changes through
    `task_set_state` so that every change leaves a dated note."""
    is_new = task.pk is None
    if is_new:
        task.state = Task.State.PLANNED
        if not task.number:
            last = task.area.tasks.order_by("-number").values_list("number", flat=True).first()
            task.number = (last or 0) + 1
    _check_task(task)
    task.full_clean()
    task.save()
    _ensure_municipal_rows(task)
    return task


@transaction.atomic
def task_set_state(*, task: Task, state: str, on: date, text: str = "", reason: str = "",
                   for_directors: bool = True, by=None) -> TaskNote:
    """Move a task to `state`, leaving a dated note of the change (with `text`)."""
    if state not in Task.State.values:
        raise ValidationError({"state": _("Unknown state.")})
    task = Task.objects.select_for_update().select_related("area__agreement").get(pk=task.pk)
    _in_year(task.area.agreement, on, "on")
    before = task.state
    task.state = state
    if state == Task.State.NOT_NEEDED:
        task.not_needed_reason = (reason or "").strip()
    _check_task(task)
    if before == state and not (text or "").strip():
        raise ValidationError({"state": _("The task is already in this state; write a note to record progress.")})
    task.state_changed_at = timezone.now() if before != state else task.state_changed_at
    task.save(update_fields=["state", "not_needed_reason", "state_changed_at"])
    note_text = (text or "").strip() or (task.not_needed_reason if state == Task.State.NOT_NEEDED else "")
    return TaskNote.objects.create(
        task=task, on=on, text=note_text, for_directors=for_directors, author=by,
        state_before=before if before != state else "", state_after=state if before != state else "",
    )


@transaction.atomic
def task_note_add(*, task: Task, on: date, text: str, for_directors: bool = True, by=None) -> TaskNote:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the note.")})
    _in_year(task.area.agreement, on, "on")
    return TaskNote.objects.create(task=task, on=on, text=text.strip(), for_directors=for_directors, author=by)


@transaction.atomic
def task_evidence_add(*, task: Task, title: str, url: str = "", upload=None, by=None) -> TaskEvidence:
    """A link or a file as evidence. The file's real type is read from its content."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the evidence a title.")})
    if bool(url) == bool(upload):
        raise ValidationError({"url": _("Give either a link or a file, not both and not neither.")})
    evidence = TaskEvidence(task=task, title=title, url=url or "", added_by=by)
    if upload is not None:
        name, data, mimetype = checked_upload(upload)
        evidence.content_type, evidence.size = mimetype, len(data)
        evidence.file.save(name, ContentFile(data), save=False)
    else:
        evidence.full_clean(exclude=["file", "added_by", "task"])
    evidence.save()
    return evidence


@transaction.atomic
def task_municipality_set(*, row: TaskMunicipality, state: str, note: str = "") -> TaskMunicipality:
    if state not in Task.State.values:
        raise ValidationError({"state": _("Unknown state.")})
    if state == Task.State.NOT_NEEDED and not (note or "").strip():
        raise ValidationError({"note": _("Say why the task is not needed in %(library)s.") % {"library": row.library}})
    row.state, row.note = state, (note or "").strip()
    row.save(update_fields=["state", "note", "updated_at"])
    return row


# ---------------------------------------------------------------- meetings


MEETING_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url")


@transaction.atomic
def meeting_save(*, meeting: Meeting) -> Meeting:
    """Save a meeting. It belongs to the agreement of the year it is held in; next year's
    meetings are planned before that agreement exists (January's in December) and join it
    when it is made (`agreement_save`, `agreement_copy`); a meeting moved into another year
    moves with it, unless it has decisions already. A change of the time, place or
    title after the agenda was sent is remembered, so the page offers to send the updated
    agenda and calendar file."""
    if meeting.starts_at:
        year = timezone.localtime(meeting.starts_at).year
        if meeting.agreement_id and meeting.agreement.year != year and not (
                meeting.pk and meeting.decisions.exists()):
            # Moved into another year (December's meeting held in January): it belongs to
            # that year's agreement. A meeting with decisions stays in its year (below).
            meeting.agreement = None
        if not meeting.agreement_id:
            meeting.agreement = Agreement.objects.filter(year=year).first()
            # Planned ahead, a meeting goes to the libraries of the year before (see
            # meeting_libraries); further ahead there is nobody to invite yet.
            if meeting.agreement is None and not Agreement.objects.filter(year=year - 1).exists():
                raise ValidationError({"starts_at": _(
                    "There is no agreement for %(year)d nor for the year before it; meetings are planned at most "
                    "one year ahead of the agreements.") % {"year": year}})
        if meeting.agreement_id:
            _in_year(meeting.agreement, timezone.localtime(meeting.starts_at).date(), "starts_at")
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not meeting.place.strip() and not meeting.online_url.strip():
        raise ValidationError({"place": _("Give a place, an online meeting link, or both.")})
    if meeting.proposals_close_on and meeting.starts_at and \
            meeting.proposals_close_on > timezone.localtime(meeting.starts_at).date():
        raise ValidationError({"proposals_close_on": _("Proposals must close by the day of the meeting.")})
    if meeting.pk and meeting.agenda_sent_at and meeting.state == Meeting.State.AGENDA_SENT:
        before = Meeting.objects.select_for_update().values(*MEETING_CALENDAR_FIELDS).get(pk=meeting.pk)
        if any(before[field] != getattr(meeting, field) for field in MEETING_CALENDAR_FIELDS):
            meeting.changed_after_agenda = True
    meeting.full_clean()
    meeting.save()
    return meeting


def _join_meetings_of_the_year(agreement: Agreement) -> None:
    """Meetings planned before the agreement of their year existed join it."""
    Meeting.objects.filter(agreement__isnull=True, starts_at__year=agreement.year).update(agreement=agreement)


def _open_for_proposals(meeting: Meeting) -> None:
    if meeting.state in (Meeting.State.HELD, Meeting.State.CANCELLED) or meeting.starts_at <= timezone.now():
        raise ValidationError(_("This meeting no longer takes agenda proposals."))
    if meeting.proposals_close_on and timezone.localdate() > meeting.proposals_close_on:
        raise ValidationError(_("Agenda proposals for this meeting closed on %(date)s.")
                              % {"date": date_format(meeting.proposals_close_on, "SHORT_DATE_FORMAT")})


@transaction.atomic
def agenda_item_propose(*, meeting: Meeting, title: str, description: str = "", by: User,
                        library: Library | None = None, on_agenda: bool = False) -> AgendaItem:
    """A director's proposal waits for the coordinator. With `on_agenda` (the coordinator's
    own matter; the view decides who may) it goes straight on the agenda, last, and the
    closing day of proposals, which is for the directors, does not apply."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if on_agenda:
        if meeting.state in (Meeting.State.HELD, Meeting.State.CANCELLED) or meeting.starts_at <= timezone.now():
            raise ValidationError(_("This meeting no longer takes agenda proposals."))
    else:
        _open_for_proposals(meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the matter a title.")})
    position = 0
    if on_agenda:
        last = meeting.agenda_items.filter(state=AgendaItem.State.ON_AGENDA).aggregate(last=Max("position"))["last"]
        position = min((last or 0) + 1, 999)
    return AgendaItem.objects.create(
        meeting=meeting, title=title[:200], description=(description or "").strip(), proposed_by=by,
        library=library, state=AgendaItem.State.ON_AGENDA if on_agenda else AgendaItem.State.PROPOSED,
        position=position)


@transaction.atomic
def agenda_item_arrange(*, item: AgendaItem, state: str, position: int) -> AgendaItem:
    """The coordinator puts a proposal on the agenda (at a position) or defers it."""
    if state not in AgendaItem.State.values:
        raise ValidationError({"state": _("Unknown state.")})
    if position is None or position < 0 or position > 999:
        raise ValidationError({"position": _("Give a position between 0 and 999.")})
    item.state, item.position = state, position
    item.save(update_fields=["state", "position"])
    return item


@transaction.atomic
def agenda_item_withdraw(*, item: AgendaItem, by: User) -> None:
    if item.proposed_by_id != by.pk or item.state != AgendaItem.State.PROPOSED:
        raise ValidationError(_("Only your own proposal can be withdrawn, before it is on the agenda."))
    item.delete()


def agenda_recipients(meeting: Meeting) -> list[User]:
    """Directors of the agreement's libraries, the coordinators and the chair, once each."""
    people = role_holders(roles=[Role.DIRECTOR, Role.COORDINATOR],
                          libraries=meeting_libraries(meeting).in_area(LOUNA_AREA))
    recipients = {person.pk: person for person in people}
    if meeting.chair_id and meeting.chair.is_active:
        recipients.setdefault(meeting.chair_id, meeting.chair)
    return sorted(recipients.values(), key=lambda person: person.email)


@transaction.atomic
def meeting_send_agenda(*, meeting: Meeting, by=None) -> Meeting:
    """Mark the agenda sent and queue its mail (with an .ics) in the outbox, sent after
    commit: no SMTP while the meeting is locked."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state in (Meeting.State.HELD, Meeting.State.CANCELLED):
        raise ValidationError(_("The agenda of a held or cancelled meeting is not sent."))
    if not meeting.agenda_items.filter(state=AgendaItem.State.ON_AGENDA).exists():
        raise ValidationError(_("Put at least one item on the agenda before sending it."))
    if meeting.agenda_sent_at:
        meeting.ics_sequence += 1  # calendars replace the earlier invitation
    meeting.state = Meeting.State.AGENDA_SENT
    meeting.agenda_sent_at = timezone.now()
    meeting.changed_after_agenda = False
    meeting.save(update_fields=["state", "agenda_sent_at", "ics_sequence", "changed_after_agenda"])
    meeting_agenda_mail(meeting_id=meeting.pk)
    return meeting


def meeting_agenda_mail(*, meeting_id: int) -> int:
    """Queue the agenda with the .ics for every recipient; returns how many were newly
    queued. The key carries the agenda's version (ics_sequence): a re-sent agenda goes to
    everyone again, a second run of the same version to nobody."""
    from .ics import meeting_ics

    meeting = Meeting.objects.select_related("agreement", "chair").get(pk=meeting_id)
    items = list(meeting.agenda_items.filter(state=AgendaItem.State.ON_AGENDA).select_related("proposed_by"))
    ics = meeting_ics(meeting, items)
    url = settings.SITE_URL.rstrip("/") + reverse("louna:meeting_detail", args=[meeting.pk])
    people = {person.pk: person for person in agenda_recipients(meeting)}
    keys = {pk: f"louna.agenda:{meeting.pk}:{meeting.ics_sequence}:{pk}" for pk in people}
    queued = set(OutboxMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    for pk, person in people.items():
        if keys[pk] in queued:
            continue
        enqueue_mail_to_user(user=person, key=keys[pk], kind="louna.agenda", template="louna/mail/agenda",
                             about=meeting, context={"meeting": meeting, "items": items, "meeting_url": url,
                                                     "updated": meeting.ics_sequence > 0},
                             attachments=[(f"kokous-{meeting.pk}.ics", ics, "text/calendar")])
    return len(set(keys.values()) - queued)


@transaction.atomic
def meeting_record_minutes(*, meeting: Meeting, minutes: str) -> Meeting:
    if not (minutes or "").strip():
        raise ValidationError({"minutes": _("Write the minutes.")})
    if meeting.starts_at > timezone.now():
        raise ValidationError({"minutes": _("Minutes are recorded after the meeting has started.")})
    meeting.minutes = minutes.strip()
    meeting.minutes_recorded_at = timezone.now()
    meeting.state = Meeting.State.HELD
    meeting.save(update_fields=["minutes", "minutes_recorded_at", "state"])
    return meeting


@transaction.atomic
def decision_add(*, meeting: Meeting, text: str, agenda_item: AgendaItem | None = None) -> Decision:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the decision.")})
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("The agenda item belongs to another meeting.")})
    return Decision.objects.create(meeting=meeting, text=text.strip(), agenda_item=agenda_item)


@transaction.atomic
def task_from_decision(*, decision: Decision, area: ServiceArea, text: str, responsible=None,
                       schedule: str = Task.Schedule.YEARLY, due_on=None, by=None) -> Task:
    if decision.meeting.agreement_id is None:
        raise ValidationError({"area": _("There is no agreement for %(year)d yet; the decision becomes a task of "
                                         "that year once its agreement is made.")
                                       % {"year": meeting_year(decision.meeting)}})
    if area.agreement_id != decision.meeting.agreement_id:
        raise ValidationError({"area": _("Choose an area of the meeting's agreement year.")})
    # The decision row is locked so two clicks cannot both find it without a task.
    Decision.objects.select_for_update().get(pk=decision.pk)
    existing = Task.objects.filter(from_decision=decision).select_related("area").first()
    if existing is not None:
        raise ValidationError(_("This decision is already task %(number)s of area %(area)s.")
                              % {"number": f"{existing.area.number}.{existing.number}", "area": existing.area.number})
    task = Task(area=area, text=(text or decision.text).strip(), responsible=responsible, schedule=schedule,
                due_on=due_on, from_decision=decision, number=0)
    return task_save(task=task, by=by)


# ---------------------------------------------------------------- feedback

FEEDBACK_ORDER = [Feedback.State.NEW, Feedback.State.HANDLING, Feedback.State.ANSWERED, Feedback.State.CLOSED]


@transaction.atomic
def feedback_save(*, feedback: Feedback, by=None) -> Feedback:
    """Log or handle customer feedback: new → being handled → answered → closed.
    Answered feedback carries the answer; the answer date and handler fill themselves."""
    if feedback.received_on and feedback.received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The feedback cannot arrive in the future.")})
    if feedback.state == Feedback.State.ANSWERED and not feedback.answer.strip():
        raise ValidationError({"answer": _("Record the answer that was given.")})
    if feedback.answer.strip() and feedback.answered_on is None and feedback.state in (
            Feedback.State.ANSWERED, Feedback.State.CLOSED):
        feedback.answered_on = timezone.localdate()
    if feedback.answered_on and feedback.received_on and feedback.answered_on < feedback.received_on:
        raise ValidationError({"answered_on": _("The answer cannot be given before the feedback arrived.")})
    if feedback.state != Feedback.State.NEW and feedback.handler_id is None and by is not None:
        feedback.handler = by
    feedback.full_clean()
    feedback.save()
    return feedback


# ---------------------------------------------------------------- web services


@transaction.atomic
def web_service_save(*, service: WebService) -> WebService:
    if WebService.objects.filter(name__iexact=service.name.strip()).exclude(pk=service.pk).exists():
        raise ValidationError({"name": _("There is already a service called %(name)s.") % {"name": service.name}})
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def accessibility_check_save(*, check: AccessibilityCheck) -> AccessibilityCheck:
    if check.checked_on and check.checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("A check cannot be dated in the future.")})
    check.year = check.checked_on.year
    clash = AccessibilityCheck.objects.filter(service=check.service, year=check.year).exclude(pk=check.pk).exists()
    if clash:
        raise ValidationError({"checked_on": _("%(service)s already has a check for %(year)d; add the findings to it.")
                                            % {"service": check.service, "year": check.year}})
    check.full_clean()
    check.save()
    return check


WCAG_CRITERION = re.compile(r"^[1-4]\.\d{1,2}\.\d{1,2}$")


def accessibility_reminder_mail(*, year: int | None = None, today: date | None = None) -> int:
    """Remind the coordinators of the shared web services still lacking this year's
    accessibility check. Returns the number of messages queued (none when all are checked).
    Each person gets one reminder a month however often this runs (the outbox key)."""
    from .selectors import services_missing_check

    today = today or timezone.localdate()
    year = year or today.year
    missing = services_missing_check(year=year)
    if not missing:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("louna:service_list")
    sent = 0
    for person in role_holders(roles=Role.COORDINATOR):
        key = f"louna.accessibility:{today.year}-{today.month:02d}:{person.pk}"  # once a month per person
        if OutboxMessage.objects.filter(key=key).exists():
            continue
        enqueue_mail_to_user(user=person, key=key, kind="louna.accessibility_reminder",
                             template="louna/mail/accessibility_reminder",
                             context={"year": year, "services": missing, "url": url})
        sent += 1
    return sent


@transaction.atomic
def accessibility_finding_save(*, finding: AccessibilityFinding) -> AccessibilityFinding:
    finding.criterion = (finding.criterion or "").strip()
    if not WCAG_CRITERION.match(finding.criterion):
        raise ValidationError({"criterion": _("Give the WCAG success criterion as a number such as 1.4.3.")})
    if finding.fixed_on and finding.fixed_on < finding.check_run.checked_on:
        raise ValidationError({"fixed_on": _("A finding cannot be fixed before the check found it.")})
    finding.full_clean()
    finding.save()
    return finding


# ---------------------------------------------------------------- projects


@transaction.atomic
def project_save(*, project: Project, libraries=None) -> Project:
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        raise ValidationError({"ends_on": _("The project cannot end before it starts.")})
    project.full_clean()
    project.save()
    if libraries is not None:
        project.libraries.set(libraries)
    return project


@transaction.atomic
def milestone_save(*, milestone: Milestone) -> Milestone:
    """A milestone may fall after the project's end (the final report to the funder, the
    follow-up after it), as a note dated then may; not before the project starts."""
    project = milestone.project
    for field in ("due_on", "done_on"):
        day = getattr(milestone, field)
        if day and project.starts_on and day < project.starts_on:
            raise ValidationError({field: _("The date is before the project starts on %(date)s.")
                                          % {"date": date_format(project.starts_on, "SHORT_DATE_FORMAT")}})
    milestone.full_clean()
    milestone.save()
    return milestone


def milestone_mark_reached(*, milestone: Milestone, today: date | None = None) -> Milestone:
    """Mark the milestone reached today (a milestone reached is dated the day it is marked)."""
    milestone.done_on = today or timezone.localdate()
    return milestone_save(milestone=milestone)


@transaction.atomic
def project_note_add(*, project: Project, on: date, text: str, by=None) -> ProjectNote:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the note.")})
    return ProjectNote.objects.create(project=project, on=on, text=text.strip(), author=by)
