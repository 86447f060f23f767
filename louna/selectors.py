"""Reads of Louna: each returns what a page shows, restricted to the person, in a fixed
number of queries however much data there is."""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as translation_language

from consortium.models import Library, User

from . import permissions
from .models import (
    AccessibilityCheck,
    AccessibilityFinding,
    AgendaItem,
    Agreement,
    Decision,
    Feedback,
    Meeting,
    Project,
    ServiceArea,
    Task,
    TaskEvidence,
    TaskMunicipality,
    TaskNote,
    WebService,
)

__all__ = (
    "agreement_list",
    "agreement_get",
    "current_agreement",
    "task_board",
    "task_get",
    "meeting_list",
    "meeting_year",
    "meeting_libraries",
    "meeting_get",
    "feedback_list",
    "feedback_get",
    "feedback_counts",
    "web_service_list",
    "web_service_get",
    "project_list",
    "project_get",
)


def _count(model, fk: str, extra: Q | None = None):
    """A correlated count (no join multiplying the rows of the outer query)."""
    qs = model.objects.filter(**{fk: OuterRef("pk")})
    if extra is not None:
        qs = qs.filter(extra)
    counted = qs.order_by().values(fk).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# ---------------------------------------------------------------- agreements


def agreement_list(*, user) -> QuerySet[Agreement]:
    if not permissions.can_view(user):
        return Agreement.objects.none()
    return Agreement.objects.select_related("provider").annotate(
        area_count=_count(ServiceArea, "agreement"),
        task_count=_count(Task, "area__agreement"),
        done_count=_count(Task, "area__agreement", Q(state=Task.State.DONE)),
    )


def agreement_get(*, user, year: int) -> Agreement:
    return (
        agreement_list(user=user)
        .prefetch_related("libraries__municipality", "documents",
                          Prefetch("areas", queryset=ServiceArea.objects.annotate(
                              task_count=_count(Task, "area"))))
        .get(year=year)
    )


def agreement_get_plain(*, user, year: int) -> Agreement:
    """One agreement without its related lists (for pages that fetch those themselves)."""
    if not permissions.can_view(user):
        raise Agreement.DoesNotExist
    return Agreement.objects.get(year=year)


def current_agreement(*, user, today: date | None = None) -> Agreement | None:
    """This year's agreement, or the latest one before it."""
    today = today or timezone.localdate()
    qs = agreement_list(user=user)
    return qs.filter(year=today.year).first() or qs.filter(year__lt=today.year).order_by("-year").first() \
        or qs.order_by("year").first()


# ---------------------------------------------------------------- the task board


@dataclass
class BoardGroup:
    key: str
    title: str
    tasks: list = field(default_factory=list)  # BoardRow


@dataclass
class Board:
    agreement: Agreement
    tasks: list
    by_area: list
    by_state: list
    state_counts: dict


# The board's badge colour per task state (the same as louna/includes/state.html).
STATE_BADGES = {
    Task.State.DONE: "text-bg-success",
    Task.State.IN_PROGRESS: "text-bg-primary",
    Task.State.NOT_NEEDED: "text-bg-light border",
}


@dataclass(slots=True)
class BoardRow:
    """One task as the board shows it, its labels and dates worked out in Python once per
    request. A board has hundreds of tasks; resolving `get_state_display`, the lazy
    translations, date formats and `{% url %}` in the template for each of them cost most
    of the page's time."""

    task: Task
    code: str
    url: str
    text: str
    area_number: int
    state: str
    state_label: str
    badge: str
    responsible: str
    due: str
    note_on: str
    note: str
    note_count: int
    evidence_count: int
    municipal: list  # (municipality name, state label) of the libraries the person may see


def _truncate(text: str, length: int) -> str:
    # Django's truncatechars walks every character of the text even when it is short.
    return text if len(text) <= length else Truncator(text).chars(length)


def _board_rows(tasks: list[Task], areas: dict, municipal: dict) -> list[BoardRow]:
    """`areas`: ServiceArea by id; `municipal`: (municipality, state) pairs by task id."""
    state_labels = {value: str(label) for value, label in Task.State.choices}
    schedule_labels = {value: str(label) for value, label in Task.Schedule.choices}
    dates: dict = {}

    def short_date(day):
        if day not in dates:
            dates[day] = formats.date_format(day, "SHORT_DATE_FORMAT")
        return dates[day]

    # reverse() once, not once per task: the task's id is the only part that changes.
    marker = 987654321
    url_pattern = reverse("louna:task_detail", args=[marker]).replace(str(marker), "{}")
    rows = []
    for task in tasks:
        area = areas[task.area_id]
        rows.append(BoardRow(
            task=task,
            code=f"{area.number}.{task.number}",
            url=url_pattern.format(task.pk),
            text=_truncate(task.text, 180),
            area_number=area.number,
            state=task.state,
            state_label=state_labels.get(task.state, task.state),
            badge=STATE_BADGES.get(task.state, "text-bg-secondary"),
            responsible=str(task.responsible) if task.responsible_id else "",
            due=short_date(task.due_on) if task.due_on else schedule_labels.get(task.schedule, task.schedule),
            note_on=short_date(task.last_note_on) if task.last_note and task.last_note_on else "",
            note=_truncate(task.last_note, 140) if task.last_note else "",
            note_count=task.note_count,
            evidence_count=task.evidence_count,
            municipal=[(name, state_labels.get(state, state)) for name, state in municipal.get(task.pk, ())]
            if task.per_municipality else [],
        ))
    return rows


def _tasks(user) -> QuerySet[Task]:
    manage = permissions.can_manage(user)
    note_filter = None if manage else Q(for_directors=True)
    latest = TaskNote.objects.filter(task=OuterRef("pk")).exclude(text="")
    if note_filter is not None:
        latest = latest.filter(note_filter)
    latest = latest.order_by("-on", "-pk")
    return (
        Task.objects.select_related("responsible")
        .annotate(note_count=_count(TaskNote, "task", note_filter), evidence_count=_count(TaskEvidence, "task"),
                  last_note=Subquery(latest.values("text")[:1]), last_note_on=Subquery(latest.values("on")[:1]))
    )


def _municipal_states(user) -> QuerySet[TaskMunicipality]:
    return permissions.restrict_municipal_states(TaskMunicipality.objects.all(), user)


def task_board(*, user, agreement: Agreement, state: str = "", person: int | None = None,
               month: int | None = None, area: int | None = None) -> Board:
    """The tasks of one agreement, grouped by area and by state. `month` (1–12) keeps
    tasks due in that month; `person` the tasks of one responsible person."""
    qs = _tasks(user).filter(area__agreement=agreement).order_by("area__number", "number", "pk")
    if state:
        qs = qs.filter(state=state)
    if person:
        qs = qs.filter(responsible_id=person)
    if month:
        qs = qs.filter(due_on__month=month)
    if area:
        qs = qs.filter(area_id=area)
    tasks = list(qs)
    areas = list(agreement.areas.all().order_by("number"))
    areas_by_pk = {a.pk: a for a in areas}
    # The libraries' follow-up as plain tuples: the board only shows the municipality and
    # the state, and a model object (with its library and municipality) per row cost more
    # than the rest of the query.
    # The municipality's name is translated (modeltranslation): the reader's language,
    # falling back to Finnish as the model field itself does.
    municipal: dict = {}
    followed = [task.pk for task in tasks if task.per_municipality]
    if followed:
        local_name = "library__municipality__" + build_localized_fieldname("name", translation_language())
        for task_id, finnish, local, value in (
                _municipal_states(user).filter(task_id__in=followed).order_by("task", "library__name")
                .values_list("task_id", "library__municipality__name_fi", local_name, "state")):
            municipal.setdefault(task_id, []).append((local or finnish, value))
    by_area = {a.pk: BoardGroup(str(a.pk), str(a), []) for a in areas}
    by_state = {value: BoardGroup(value, label, []) for value, label in Task.State.choices}
    for task, row in zip(tasks, _board_rows(tasks, areas_by_pk, municipal)):
        task.area = areas_by_pk[task.area_id]
        by_area[task.area_id].tasks.append(row)
        by_state[task.state].tasks.append(row)
    counts = dict(Task.objects.filter(area__agreement=agreement).order_by().values_list("state")
                  .annotate(n=Count("pk")))
    state_counts = {value: counts.get(value, 0) for value in Task.State.values}
    return Board(agreement=agreement, tasks=tasks, by_area=list(by_area.values()), by_state=list(by_state.values()),
                 state_counts=state_counts)


def responsible_people(*, agreement: Agreement) -> list[User]:
    """The people responsible for some task of the agreement (for the board's filter)."""
    return list(User.objects.filter(pk__in=Task.objects.filter(area__agreement=agreement, responsible__isnull=False)
                                    .values("responsible_id")).order_by("full_name"))


def task_get(*, user, pk: int) -> Task:
    if not permissions.can_view(user):
        raise Task.DoesNotExist
    notes = permissions.restrict_notes(TaskNote.objects.select_related("author"), user)
    return (
        _tasks(user).select_related("area__agreement", "from_decision__meeting")
        .prefetch_related(
            Prefetch("notes", queryset=notes, to_attr="visible_notes"), "evidence",
            Prefetch("municipal_states", queryset=_municipal_states(user).select_related("library__municipality"),
                     to_attr="visible_municipal_states"),
        )
        .get(pk=pk)
    )


def tasks_due(*, user, today: date | None = None) -> tuple[list[Task], list[Task]]:
    """(overdue, due this month) open tasks of this year's agreement that are the person's
    own or nobody's yet."""
    today = today or timezone.localdate()
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    qs = (
        Task.objects.filter(area__agreement__year=today.year, due_on__isnull=False, due_on__lte=month_end)
        .exclude(state__in=[Task.State.DONE, Task.State.NOT_NEEDED])
        .filter(Q(responsible=user) | Q(responsible__isnull=True))
        .select_related("area").order_by("due_on", "pk")
    )
    tasks = list(qs[:50])
    return [t for t in tasks if t.due_on < today], [t for t in tasks if t.due_on >= today]


# ---------------------------------------------------------------- meetings


def meeting_list(*, user, year: int | None = None) -> QuerySet[Meeting]:
    if not permissions.can_view(user):
        return Meeting.objects.none()
    items = permissions.restrict_agenda_items(AgendaItem.objects.all(), user)
    qs = Meeting.objects.select_related("agreement", "chair").annotate(
        item_count=_count(AgendaItem, "meeting", Q(state=AgendaItem.State.ON_AGENDA)),
        proposal_count=_count(AgendaItem, "meeting", Q(pk__in=items.values("pk"))),
    )
    if year:
        # A meeting planned before its year's agreement exists belongs to that year too.
        qs = qs.filter(Q(agreement__year=year) | Q(agreement__isnull=True, starts_at__year=year))
    return qs.order_by("starts_at")


def meeting_year(meeting: Meeting) -> int:
    """The year a meeting belongs to: its agreement's, or the year it is held in."""
    return meeting.agreement.year if meeting.agreement_id else timezone.localtime(meeting.starts_at).year


def meeting_libraries(meeting: Meeting):
    """The libraries a meeting is for: its agreement's; before that agreement exists, those
    of the year before (the cooperation as it stands when next year's meetings are planned)."""
    agreement = meeting.agreement if meeting.agreement_id else (
        Agreement.objects.filter(year=meeting_year(meeting) - 1).first())
    return agreement.libraries.all() if agreement else Library.objects.none()


def meeting_get(*, user, pk: int) -> Meeting:
    items = permissions.restrict_agenda_items(
        AgendaItem.objects.select_related("proposed_by", "library"), user
    ).prefetch_related("decisions")
    return (
        meeting_list(user=user)
        .prefetch_related(
            Prefetch("agenda_items", queryset=items, to_attr="visible_items"),
            Prefetch("decisions", queryset=Decision.objects.select_related("agenda_item").prefetch_related(
                Prefetch("tasks", queryset=Task.objects.select_related("area")))),
            "project_ideas",
        )
        .get(pk=pk)
    )


def next_meeting(*, user) -> Meeting | None:
    """The coming meeting, with what the front-page card shows (title, time, proposals by):
    not meeting_list's counts, which cost more than the rest of a director's front page."""
    if not permissions.can_view(user):
        return None
    return (Meeting.objects.filter(starts_at__gte=timezone.now(),
                                   state__in=[Meeting.State.PLANNED, Meeting.State.AGENDA_SENT])
            .only("title", "starts_at", "proposals_close_on").order_by("starts_at", "pk").first())


# ---------------------------------------------------------------- feedback


def feedback_list(*, user, service: int | None = None, state: str = "", municipality: int | None = None,
                  year: int | None = None, month: int | None = None) -> QuerySet[Feedback]:
    if not permissions.can_view(user):
        return Feedback.objects.none()
    qs = permissions.restrict_feedback(Feedback.objects.select_related("service", "municipality", "handler"), user)
    if service:
        qs = qs.filter(service_id=service)
    if state:
        qs = qs.filter(state=state)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if year:
        qs = qs.filter(received_on__year=year)
    if month:
        qs = qs.filter(received_on__month=month)
    return qs


def feedback_get(*, user, pk: int) -> Feedback:
    return feedback_list(user=user).get(pk=pk)


@dataclass
class CountRow:
    service: WebService
    months: list
    total: int


def feedback_counts(*, user, year: int) -> tuple[list[CountRow], list[int], int]:
    """Feedback per service and month of `year`, as the person may see it: (rows, column
    totals for the twelve months, grand total). One query for the counts."""
    rows = (
        feedback_list(user=user, year=year).order_by()
        .annotate(month=ExtractMonth("received_on")).values("service_id", "month").annotate(n=Count("pk"))
    )
    grid: dict[int, list[int]] = {}
    for row in rows:
        grid.setdefault(row["service_id"], [0] * 12)[row["month"] - 1] = row["n"]
    services = WebService.objects.filter(Q(pk__in=grid.keys()) | Q(receives_feedback=True)).order_by("name")
    result = [CountRow(service, grid.get(service.pk, [0] * 12), sum(grid.get(service.pk, []))) for service in services]
    columns = [sum(row.months[i] for row in result) for i in range(12)]
    return result, columns, sum(columns)


# ---------------------------------------------------------------- web services


def web_service_list(*, user, year: int | None = None) -> QuerySet[WebService]:
    """Services with `this_year_check` (the id of `year`'s check, or None: a warning)."""
    if not permissions.can_view(user):
        return WebService.objects.none()
    year = year or timezone.localdate().year
    latest = AccessibilityCheck.objects.filter(service=OuterRef("pk")).order_by("-year")
    return WebService.objects.select_related("administrator").annotate(
        this_year_check=Subquery(AccessibilityCheck.objects.filter(service=OuterRef("pk"), year=year).values("pk")[:1]),
        last_check_year=Subquery(latest.values("year")[:1]),
        last_check_on=Subquery(latest.values("checked_on")[:1]),
        open_findings=_count(AccessibilityFinding, "check_run__service", Q(fixed_on__isnull=True)),
    )


def web_service_get(*, user, pk: int) -> WebService:
    checks = AccessibilityCheck.objects.select_related("checked_by").prefetch_related("findings")
    return web_service_list(user=user).prefetch_related(Prefetch("checks", queryset=checks)).get(pk=pk)


def services_missing_check(*, year: int | None = None) -> list[WebService]:
    year = year or timezone.localdate().year
    return list(WebService.objects.filter(is_active=True).exclude(checks__year=year).order_by("name"))


# ---------------------------------------------------------------- projects


def project_list(*, user) -> QuerySet[Project]:
    if not permissions.can_view(user):
        return Project.objects.none()
    return Project.objects.select_related("raised_in").prefetch_related("libraries")


def project_get(*, user, pk: int) -> Project:
    return project_list(user=user).prefetch_related("milestones", "notes__author").get(pk=pk)
