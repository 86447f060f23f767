"""Reads of the trainings app: each page's lists with a fixed number of queries."""

from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from .models import HELSINKI, Feedback, Registration, Training, TrainingWish
from .permissions import restrict_registrations

__all__ = ("annotate_counts", "public_trainings", "training_get_public", "training_get_for_staff",
           "my_registrations", "registration_by_token", "registrations_for", "registrations_by_library",
           "feedback_summary", "wishes_ranked", "themes", "month_grid", "near_capacity",
           "open_offers_for", "feedback_owed_for", "person_has_place", "person_card_rows")


def annotate_counts(qs: QuerySet) -> QuerySet:
    """Places taken and people waiting, counted in the same query as the trainings."""
    return qs.annotate(
        taken=Count("registrations", filter=Q(registrations__state__in=Registration.HOLDS_PLACE), distinct=True),
        waiting=Count("registrations", filter=Q(registrations__state=Registration.State.WAITING), distinct=True),
    )


def public_trainings() -> QuerySet:
    return annotate_counts(Training.objects.exclude(state=Training.State.DRAFT))


def training_get_public(*, pk) -> Training:
    return public_trainings().get(pk=pk)


def training_get_for_staff(*, pk) -> Training:
    return annotate_counts(Training.objects.all()).get(pk=pk)


def themes() -> list[str]:
    return list(Training.objects.exclude(state=Training.State.DRAFT).order_by("theme")
                .values_list("theme", flat=True).distinct())


def month_grid(trainings, *, year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of the month, each day with its trainings (already fetched)."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    by_day: dict[date, list] = {}
    for training in trainings:
        by_day.setdefault(timezone.localtime(training.starts_at, HELSINKI).date(), []).append(training)
    weeks, day = [], start
    while True:
        week = []
        for _ in range(7):
            week.append({"date": day, "in_month": day.month == month, "trainings": by_day.get(day, [])})
            day += timedelta(days=1)
        weeks.append(week)
        if day.month != month or day.year != year:
            if day > first:
                break
    return weeks


def my_registrations(user) -> QuerySet:
    return (Registration.objects.filter(user=user).select_related("training", "library")
            .order_by("-training__starts_at"))


def person_has_place(training: Training, user) -> bool:
    if not user.is_authenticated:
        return False
    return training.registrations.filter(user=user, state=Registration.State.REGISTERED).exists()


def registration_by_token(*, token: str) -> Registration:
    return Registration.objects.select_related("training", "library").get(token=token)


def registrations_for(*, training: Training, user) -> QuerySet:
    return (restrict_registrations(training.registrations.all(), user)
            .select_related("library").order_by("library__name", "state", "created_at"))


def registrations_by_library(registrations) -> list[tuple]:
    groups: dict = {}
    for registration in registrations:
        groups.setdefault(registration.library, []).append(registration)
    return list(groups.items())


def feedback_summary(training: Training) -> dict:
    answers = Feedback.objects.filter(registration__training=training)
    figures = answers.aggregate(count=Count("pk"), average=Avg("rating"))
    spread = dict(answers.values_list("rating").annotate(n=Count("pk")).order_by())
    present = training.registrations.filter(attended=True).count()
    return {**figures, "present": present, "spread": [(rating, spread.get(rating, 0)) for rating in range(5, 0, -1)],
            "comments": list(answers.exclude(text="").order_by("-created_at").values_list("text", flat=True))}


def wishes_ranked(*, open_only: bool = True) -> QuerySet:
    qs = TrainingWish.objects.annotate(demand=Sum("votes__staff_count"), library_count=Count("votes"))
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return qs.order_by("-demand", "-library_count", "topic")


def near_capacity(*, now: datetime, share: float = 0.8) -> list[Training]:
    coming = annotate_counts(Training.objects.filter(state=Training.State.PUBLISHED, starts_at__gt=now))
    return [t for t in coming[:200] if t.taken >= t.capacity * share][:8]


def open_offers_for(user, *, now: datetime) -> QuerySet:
    return (Registration.objects.filter(user=user, state=Registration.State.OFFERED, offer_expires_at__gt=now)
            .select_related("training"))


def person_card_rows(user, *, now: datetime, limit: int = 5) -> tuple[list, list, list]:
    """The front page's three lists for one person in one query: coming trainings with a
    place, places offered to them, and held trainings whose feedback they owe."""
    state = Registration.State
    rows = (Registration.objects.filter(user=user)
            .filter(Q(state=state.REGISTERED, training__starts_at__gt=now)
                    | Q(state=state.OFFERED, offer_expires_at__gt=now)
                    | Q(state=state.REGISTERED, attended=True, training__ends_at__lt=now,
                        training__ends_at__gte=now - timedelta(days=30)))
            .annotate(answered=Exists(Feedback.objects.filter(registration=OuterRef("pk"))))
            .select_related("training").order_by("training__starts_at")[:100])
    coming, offers, owed = [], [], []
    for row in rows:
        if row.state == state.OFFERED:
            offers.append(row)
        elif row.training.starts_at > now:
            coming.append(row)
        elif not row.answered:
            owed.append(row)
    return coming[:limit], offers[:limit], owed[:limit]


def feedback_owed_for(user) -> QuerySet:
    return (Registration.objects.filter(user=user, state=Registration.State.REGISTERED, attended=True,
                                        training__ends_at__lt=timezone.now())
            .filter(~Exists(Feedback.objects.filter(registration=OuterRef("pk")))).select_related("training"))
