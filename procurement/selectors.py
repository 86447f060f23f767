"""Reads of the procurement app: every list starts from a queryset restricted to the user,
and counts come from annotations so that a page's query count does not grow with data."""

from datetime import date

from django.db.models import Case, Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from consortium.models import Library

from .models import (
    Answer,
    Appeal,
    Category,
    FrameworkAgreement,
    OptIn,
    OptInEvent,
    Procurement,
    State,
    add_months,
)
from .permissions import answering_libraries, answers_visible_to, can_manage_procurements

__all__ = (
    "procurement_list",
    "procurement_get",
    "opt_in_get",
    "opt_in_events",
    "staff_overview",
    "sums_by_category",
    "participants",
    "libraries_without_answer",
    "agreements_for_libraries",
    "agreements_ending",
    "open_awaiting_answer",
)

# Open procurements first (soonest deadline first), then the rest, newest first.
OPEN_FIRST = Case(When(state=State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())


def procurement_list(*, user, library: Library | None = None, state: str = "", category: str = "") -> QuerySet:
    """The procurements a person sees, each annotated with `library`'s answer."""
    qs = Procurement.objects.select_related("purchasing_body").annotate(open_first=OPEN_FIRST)
    if state in State.values:
        qs = qs.filter(state=state)
    if category in Category.values:
        qs = qs.filter(category=category)
    if library is not None:
        answer = OptIn.objects.filter(procurement=OuterRef("pk"), library=library)
        qs = qs.annotate(my_answer=Subquery(answer.values("answer")[:1]),
                         my_estimate=Subquery(answer.values("yearly_estimate")[:1]))
    return qs.order_by("open_first", F("opt_in_deadline").asc(nulls_last=True), "-created_at", "-pk")


def procurement_get(*, user, pk) -> Procurement:
    return Procurement.objects.select_related("purchasing_body", "framework_parent").get(pk=pk)


def opt_in_get(*, user, procurement: Procurement, library: Library) -> OptIn | None:
    qs = answers_visible_to(user, OptIn.objects.filter(procurement=procurement, library=library))
    return qs.select_related("answered_by").first()


def opt_in_events(*, user, procurement: Procurement, library: Library | None = None) -> QuerySet:
    qs = answers_visible_to(user, OptInEvent.objects.filter(procurement=procurement))
    if library is not None:
        qs = qs.filter(library=library)
    return qs.select_related("by", "library").order_by("-at", "-id")


def member_libraries() -> QuerySet:
    """The libraries asked to answer: active consortium members."""
    return Library.objects.filter(is_active=True, member_since__isnull=False)


def staff_overview(*, states=(State.OPEN, State.CLOSED), pk=None) -> list[Procurement]:
    """Per open (and just closed) procurement: committed / interested / declined / no answer."""
    member_count = member_libraries().count()
    counted = Q(opt_ins__library__is_active=True, opt_ins__library__member_since__isnull=False)
    qs = Procurement.objects.filter(pk=pk) if pk is not None else Procurement.objects.filter(state__in=states)
    procurements = list(
        qs.select_related("purchasing_body")
        .annotate(
            committed=Count("opt_ins", filter=counted & Q(opt_ins__answer=Answer.COMMITTED)),
            interested=Count("opt_ins", filter=counted & Q(opt_ins__answer=Answer.INTERESTED)),
            declined=Count("opt_ins", filter=counted & Q(opt_ins__answer=Answer.DECLINED)),
            committed_total=Coalesce(Sum("opt_ins__yearly_estimate",
                                         filter=counted & Q(opt_ins__answer=Answer.COMMITTED)),
                                     Value(0), output_field=DecimalField(max_digits=14, decimal_places=2)),
            open_first=OPEN_FIRST,
        )
        .order_by("open_first", "opt_in_deadline", "pk")
    )
    for procurement in procurements:
        procurement.joined = procurement.committed + procurement.interested
        procurement.no_answer = max(0, member_count - procurement.joined - procurement.declined)
    return procurements


def sums_by_category(*, procurement_ids=None) -> list[dict]:
    """Committed yearly estimates summed per category (all procurements, or the given ones)."""
    qs = OptIn.objects.filter(answer=Answer.COMMITTED)
    if procurement_ids is not None:
        qs = qs.filter(procurement_id__in=procurement_ids)
    rows = {row["procurement__category"]: row for row in
            qs.values("procurement__category").annotate(
                libraries=Count("pk"), procurements=Count("procurement", distinct=True),
                total=Sum("yearly_estimate"))}
    result = []
    for value, label in Category.choices:
        row = rows.get(value, {})
        result.append({"category": value, "label": label, "procurements": row.get("procurements", 0),
                       "libraries": row.get("libraries", 0), "total": row.get("total") or 0})
    return result


def participants(*, procurement: Procurement, answers=(Answer.COMMITTED, Answer.INTERESTED)) -> QuerySet:
    return (OptIn.objects.filter(procurement=procurement, answer__in=answers)
            .select_related("library__municipality", "answered_by")
            .order_by("answer", "library__municipality__code", "library__name"))


def libraries_without_answer(procurement: Procurement) -> QuerySet:
    answered = OptIn.objects.filter(procurement=procurement).exclude(answer=Answer.WITHDRAWN).values("library_id")
    return member_libraries().exclude(pk__in=answered).order_by("pk")


def agreements_for_libraries(*, library_ids, today: date | None = None) -> QuerySet:
    """Agreements the libraries may order under: covering them and not ended."""
    today = today or timezone.localdate()
    return (FrameworkAgreement.objects.filter(libraries__in=library_ids, ends_on__gte=today).distinct()
            .select_related("procurement", "supplier").order_by("ends_on", "pk"))


def agreements_ending(*, months: int = 6, today: date | None = None) -> QuerySet:
    """Agreements ending within `months`, with the number of libraries they cover. The
    count is a subquery, not a GROUP BY over the joined procurement's long text columns
    (which cost more to plan and run than the rest of the staff front page together)."""
    today = today or timezone.localdate()
    covered = (FrameworkAgreement.libraries.through.objects.filter(frameworkagreement=OuterRef("pk"))
               .order_by().values("frameworkagreement").annotate(n=Count("*")).values("n"))
    return (FrameworkAgreement.objects.filter(ends_on__gte=today, ends_on__lte=add_months(today, months))
            .select_related("procurement", "supplier")
            .only("reference", "ends_on", "procurement__body_reference", "supplier__name")
            .annotate(library_count=Coalesce(Subquery(covered, output_field=IntegerField()), 0))
            .order_by("ends_on", "pk"))


def joinable_agreements(*, library_ids, today: date | None = None) -> QuerySet:
    """Agreements a committed or interested library has not joined yet and still may."""
    today = today or timezone.localdate()
    may_join = OptIn.objects.filter(library_id__in=library_ids, answer__in=[Answer.COMMITTED, Answer.INTERESTED])
    return (FrameworkAgreement.objects.filter(procurement__in=may_join.values("procurement"),
                                              joining_until__gte=today)
            .exclude(libraries__in=library_ids).select_related("procurement", "supplier").distinct()
            .order_by("joining_until", "pk"))


def open_awaiting_answer(*, library_ids) -> QuerySet:
    """Open procurements to which at least one of these libraries has no current answer (a
    person answering for two libraries is asked until both have answered)."""
    library_ids = set(library_ids)
    answered_by_all = (OptIn.objects.filter(library_id__in=library_ids).exclude(answer=Answer.WITHDRAWN)
                       .order_by().values("procurement").annotate(libraries=Count("library", distinct=True))
                       .filter(libraries__gte=len(library_ids)).values("procurement"))
    return (Procurement.objects.filter(state=State.OPEN, opt_in_deadline__gt=timezone.now())
            .exclude(pk__in=answered_by_all).order_by("opt_in_deadline", "pk"))


def pending_appeals() -> QuerySet:
    return Appeal.objects.filter(status=Appeal.Status.PENDING).select_related("procurement")


def user_libraries(user) -> list[Library]:
    return list(answering_libraries(user))


def is_staff(user) -> bool:
    return can_manage_procurements(user)
