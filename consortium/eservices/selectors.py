"""Reads of the e-services app. Lists a person sees start from querysets restricted here,
so another library's objects are simply not found (404)."""

from datetime import date, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from consortium.permissions import roles_of

from .models import (
    CRITERIA,
    Announcement,
    AnnualPlan,
    EvaluationGroup,
    Evaluator,
    Offering,
    Participation,
    PlanItem,
    Proposal,
    Report,
    Stage,
    StageChange,
    TakeUp,
)

__all__ = (
    "PUBLIC_STAGES", "visible_offerings", "offering_take_ups", "stage_history", "recent_announcements",
    "visible_groups", "group_participations", "group_averages", "visible_reports", "owed_reports",
    "visible_proposals", "proposals_awaiting_triage", "visible_plans", "plan_items", "take_ups_for_export",
    "answerable_participations",
)

# What anyone may see of the catalogue: services offered now, and those that were.
# Searching and negotiating stay among staff.
PUBLIC_STAGES = (Stage.OFFERED, Stage.DISCONTINUED)


def visible_offerings(user) -> QuerySet[Offering]:
    qs = Offering.objects.annotate(take_up_count=Count("take_ups"))
    if roles_of(user).staff:
        return qs
    return qs.filter(stage__in=PUBLIC_STAGES)


def offering_take_ups(offering: Offering) -> QuerySet[TakeUp]:
    return offering.take_ups.select_related("library__municipality").order_by("library__name")


def stage_history(offering: Offering) -> QuerySet[StageChange]:
    return offering.stage_changes.select_related("by").order_by("at", "id")


def recent_announcements(*, days: int = 60, now=None, limit: int = 5) -> QuerySet[Announcement]:
    now = now or timezone.now()
    return Announcement.objects.filter(published_at__gte=now - timedelta(days=days)).select_related("offering")[:limit]


def visible_groups(user) -> QuerySet[EvaluationGroup]:
    """Staff see every group; a member sees the groups their library was invited to and
    every summarised group (the summary is shared with all members)."""
    roles = roles_of(user)
    qs = EvaluationGroup.objects.select_related("offering")
    if roles.staff:
        return qs
    if not roles.any:
        return qs.none()
    return qs.filter(Q(summary_at__isnull=False)
                     | Q(pk__in=Participation.objects.filter(library__in=roles.library_ids).values("group")))


def group_participations(group: EvaluationGroup) -> QuerySet[Participation]:
    return (group.participations.select_related("library")
            .prefetch_related(Prefetch("evaluators", queryset=Evaluator.objects.select_related("user", "report"))))


def group_averages(group: EvaluationGroup) -> dict:
    """The anonymised figures: each criterion's average, how many reported and recommend."""
    reports = Report.objects.filter(evaluator__group=group)
    figures = reports.aggregate(count=Count("pk"), recommend=Count("pk", filter=Q(recommend=True)),
                                **{name: Avg(name) for name, _label in CRITERIA})
    figures["criteria"] = [(label, figures[name]) for name, label in CRITERIA]
    return figures


def visible_reports(user) -> QuerySet[Report]:
    """Individual reports: staff, and the people of the evaluator's own library."""
    roles = roles_of(user)
    qs = Report.objects.select_related("evaluator__user", "evaluator__group__offering",
                                       "evaluator__participation__library")
    if roles.staff:
        return qs
    if not roles.any:
        return qs.none()
    return qs.filter(Q(evaluator__participation__library__in=roles.library_ids) | Q(evaluator__user=user))


def owed_reports(user, *, today: date | None = None) -> QuerySet[Evaluator]:
    """The person's evaluator places in running trials still without a report."""
    today = today or timezone.localdate()
    return (Evaluator.objects.filter(user=user, group__starts_on__lte=today, group__ends_on__gte=today)
            .exclude(Exists(Report.objects.filter(evaluator=OuterRef("pk"))))
            .select_related("group__offering").order_by("group__ends_on"))


def answerable_participations(user) -> QuerySet[Participation]:
    """Invitations the person answers for: their own libraries' (as the contact)."""
    return Participation.objects.filter(library__in=roles_of(user).contact_of).select_related("group", "library")


def visible_proposals(user) -> QuerySet[Proposal]:
    """Every member sees every proposal (to back it); nobody else sees any."""
    if not roles_of(user).any:
        return Proposal.objects.none()
    return Proposal.objects.select_related("library").annotate(support_count=Count("supports"))


def proposals_awaiting_triage() -> QuerySet[Proposal]:
    return Proposal.objects.filter(state=Proposal.State.NEW).select_related("library").order_by("created_at")


def visible_plans(user) -> QuerySet[AnnualPlan]:
    roles = roles_of(user)
    if roles.staff:
        return AnnualPlan.objects.all()
    if not roles.any:
        return AnnualPlan.objects.none()
    return AnnualPlan.objects.filter(published_at__isnull=False)


def plan_items(plan: AnnualPlan) -> QuerySet[PlanItem]:
    return plan.items.annotate(proposal_count=Count("proposals")).order_by("theme", "title_fi")


def take_ups_for_export() -> QuerySet[TakeUp]:
    return TakeUp.objects.select_related("offering", "library__municipality").order_by("offering__name_fi",
                                                                                         "library__name")
