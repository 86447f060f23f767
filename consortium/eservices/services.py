"""Writes of the e-services app. Each service validates its input, runs in one transaction
and is the only way views, forms and tasks change these objects. Services enforce the
rules of the data; whether the actor may act is decided in the views (permissions.py)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consortium.models import LIBRARY_ROLES, Library, RoleAssignment, User
from consortium.outbox import enqueue_mail_to_user

from .models import (
    ALLOWED_MOVES,
    CRITERIA,
    Announcement,
    AnnualPlan,
    EvaluationGroup,
    Evaluator,
    Language,
    Offering,
    Participation,
    PlanItem,
    Proposal,
    ProposalSupport,
    Report,
    Stage,
    StageChange,
    TakeUp,
)

__all__ = (
    "offering_save", "offering_move", "take_up_record",
    "group_create", "group_invite", "participation_answer", "evaluator_name", "report_save",
    "group_summarise", "report_reminders_send", "REMINDER_DAYS_BEFORE",
    "proposal_submit", "proposal_support", "proposal_triage",
    "plan_save", "plan_item_save", "plan_publish",
)

REMINDER_DAYS_BEFORE = 7


def _clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude)


# ---------------------------------------------------------------- the catalogue


@transaction.atomic
def offering_save(*, by: User, offering: Offering | None = None, name: str, vendor: str, kind: str,
                  languages: list[str], description: str, pricing: str = "", name_sv: str = "",
                  description_sv: str = "") -> Offering:
    """Create an offering (its stage starts at *being looked for*) or change its texts.
    The stage moves only through offering_move."""
    unknown = [code for code in languages if code not in Language.values]
    if unknown:
        raise ValidationError({"languages": _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)}})
    creating = offering is None
    if creating:
        offering = Offering(created_by=by, stage=Stage.LOOKING)
    else:
        offering = Offering.objects.select_for_update().get(pk=offering.pk)
    offering.name_fi = name.strip()
    offering.name_sv = name_sv.strip()
    offering.vendor = vendor.strip()
    offering.kind = kind
    offering.languages = f",{','.join(code for code in Language.values if code in languages)}," if languages else ""
    offering.description_fi = description.strip()
    offering.description_sv = description_sv.strip()
    offering.pricing = pricing.strip()
    _clean(offering, exclude=["created_by"])
    offering.save()
    if creating:
        StageChange.objects.create(offering=offering, from_stage="", to_stage=Stage.LOOKING, by=by)
    return offering


@transaction.atomic
def offering_move(*, offering: Offering, to_stage: str, by: User, reason: str = "",
                  announcement_text: str = "", announcement_text_sv: str = "") -> Offering:
    """Move an offering to its next stage, record who moved it and when. Forward along the
    path, or back to *under negotiation* with a reason. Reaching *offered to members*
    publishes an announcement for the members' front pages and the next newsletter."""
    locked = Offering.objects.select_for_update().get(pk=offering.pk)
    current = Stage(locked.stage)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    target = Stage(to_stage)
    if target not in ALLOWED_MOVES[current]:
        raise ValidationError({"to_stage": _("“%(name)s” cannot move from %(from)s to %(to)s.") % {
            "name": locked.name, "from": current.label, "to": target.label}})
    reason = reason.strip()
    backwards = target == Stage.NEGOTIATING and current != Stage.LOOKING
    if backwards and not reason:
        raise ValidationError({"reason": _("Say why “%(name)s” goes back to negotiation.") % {"name": locked.name}})
    now = timezone.now()
    StageChange.objects.create(offering=locked, from_stage=current, to_stage=target, reason=reason, by=by, at=now)
    locked.stage = target
    locked.stage_changed_at = now
    locked.save(update_fields=["stage", "stage_changed_at"])
    if target == Stage.OFFERED:
        Announcement.objects.create(
            offering=locked, by=by, published_at=now,
            title_fi=_announcement_title(locked, "fi"), title_sv=_announcement_title(locked, "sv") if locked.name_sv else "",
            text_fi=announcement_text.strip() or (locked.description_fi or "")[:600],
            text_sv=announcement_text_sv.strip() or (locked.description_sv or "")[:600])
    return locked


def _announcement_title(offering: Offering, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        name = getattr(offering, f"name_{language}") or offering.name_fi
        return _("New for members: %(name)s") % {"name": name}


@transaction.atomic
def take_up_record(*, offering: Offering, library: Library, since: date, reference: str = "",
                   by: User) -> TakeUp:
    """A member library records that it uses an offering (or corrects the date or the
    reference). Only offerings offered to members can be taken up."""
    locked = Offering.objects.select_for_update().get(pk=offering.pk)
    if locked.stage != Stage.OFFERED:
        raise ValidationError(_("“%(name)s” is not offered to members (it is %(stage)s), so it cannot be taken up.")
                              % {"name": locked.name, "stage": locked.get_stage_display()})
    take_up = TakeUp.objects.filter(offering=locked, library=library).first() or TakeUp(offering=locked,
                                                                                         library=library)
    take_up.since = since
    take_up.reference = reference.strip()
    take_up.recorded_by = by
    _clean(take_up, exclude=["offering", "library"])
    take_up.save()
    return take_up


# ---------------------------------------------------------------- evaluation groups


@transaction.atomic
def group_create(*, offering: Offering, name: str, starts_on: date, ends_on: date,
                 libraries=(), by: User) -> EvaluationGroup:
    if offering.stage in (Stage.DISCONTINUED,):
        raise ValidationError({"offering": _("“%(name)s” is discontinued: it is not trialled any more.")
                               % {"name": offering.name}})
    group = EvaluationGroup(offering=offering, name=name.strip(), starts_on=starts_on, ends_on=ends_on, created_by=by)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The trial cannot end before it starts.")})
    _clean(group)
    group.save()
    group_invite(group=group, libraries=libraries, by=by)
    return group


@transaction.atomic
def group_invite(*, group: EvaluationGroup, libraries, by: User) -> list[Participation]:
    """Invite libraries (an invited library is not invited twice)."""
    if group.is_summarised:
        raise ValidationError(_("The group “%(name)s” has been summarised: no more libraries can join.")
                              % {"name": group.name})
    invited = []
    for library in libraries:
        participation, _created = Participation.objects.get_or_create(group=group, library=library)
        invited.append(participation)
    return invited


@transaction.atomic
def participation_answer(*, participation: Participation, accept: bool, by: User,
                         today: date | None = None) -> Participation:
    today = today or timezone.localdate()
    locked = Participation.objects.select_for_update().select_related("group").get(pk=participation.pk)
    if today > locked.group.ends_on:
        raise ValidationError(_("The trial of “%(name)s” has ended.") % {"name": locked.group.name})
    if not accept and locked.evaluators.exists():
        raise ValidationError(_("The library has named evaluators: it cannot decline any more."))
    locked.state = Participation.State.ACCEPTED if accept else Participation.State.DECLINED
    locked.answered_by = by
    locked.answered_at = timezone.now()
    locked.save(update_fields=["state", "answered_by", "answered_at"])
    return locked


@transaction.atomic
def evaluator_name(*, participation: Participation, user: User, by: User, today: date | None = None) -> Evaluator:
    """A participating library names one of its own people as an evaluator."""
    today = today or timezone.localdate()
    locked = Participation.objects.select_for_update().select_related("group", "library").get(pk=participation.pk)
    if locked.state != Participation.State.ACCEPTED:
        raise ValidationError(_("Accept the invitation before naming evaluators."))
    if today > locked.group.ends_on:
        raise ValidationError(_("The trial of “%(name)s” has ended.") % {"name": locked.group.name})
    if not RoleAssignment.objects.filter(user=user, library=locked.library, role__in=LIBRARY_ROLES).exists():
        raise ValidationError({"user": _("%(person)s does not work for %(library)s.") % {
            "person": user, "library": locked.library}})
    try:
        with transaction.atomic():
            return Evaluator.objects.create(participation=locked, group=locked.group, user=user, named_by=by)
    except IntegrityError:
        raise ValidationError({"user": _("%(person)s is already an evaluator in this group.") % {"person": user}})


@transaction.atomic
def report_save(*, evaluator: Evaluator, by: User, ratings: dict, text: str, recommend: bool,
                report: Report | None = None, today: date | None = None) -> Report:
    """Write or change an evaluator's report: open from the start of the trial to the end of
    its last day, frozen after that. One report per evaluator."""
    today = today or timezone.localdate()
    group = EvaluationGroup.objects.select_for_update().get(pk=evaluator.group_id)
    if today < group.starts_on:
        raise ValidationError(_("The trial starts on %(date)s: reports are written from then on.")
                              % {"date": date_format(group.starts_on, "SHORT_DATE_FORMAT")})
    if not group.is_open_on(today):
        raise ValidationError(_("The trial ended on %(date)s: the reports are frozen.")
                              % {"date": date_format(group.ends_on, "SHORT_DATE_FORMAT")})
    existing = Report.objects.select_for_update().filter(evaluator=evaluator).first()
    if report is None and existing is not None:
        raise ValidationError(_("%(person)s has already written a report for this group; change that one.")
                              % {"person": evaluator.user})
    if report is not None and (existing is None or existing.pk != report.pk):
        raise ValidationError(_("This report belongs to another evaluator."))
    report = existing or Report(evaluator=evaluator)
    errors = {}
    for name, label in CRITERIA:
        value = ratings.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = _("Rate %(criterion)s from 1 to 5.") % {"criterion": label}
        else:
            setattr(report, name, value)
    if not (text or "").strip():
        errors["text"] = _("Describe your experiences in a few words.")
    if recommend not in (True, False):
        errors["recommend"] = _("Say whether you would recommend it.")
    if errors:
        raise ValidationError(errors)
    report.text = text.strip()
    report.recommend = recommend
    _clean(report, exclude=["evaluator"])
    report.save()
    return report


@transaction.atomic
def group_summarise(*, group: EvaluationGroup, summary: str, by: User, today: date | None = None) -> EvaluationGroup:
    """Staff's summary after the trial: shared, with the anonymised averages, with all members."""
    today = today or timezone.localdate()
    locked = EvaluationGroup.objects.select_for_update().get(pk=group.pk)
    if today <= locked.ends_on:
        raise ValidationError(_("The trial ends on %(date)s: summarise it after that.")
                              % {"date": date_format(locked.ends_on, "SHORT_DATE_FORMAT")})
    if not summary.strip():
        raise ValidationError({"summary": _("Write the summary.")})
    locked.summary = summary.strip()
    locked.summary_by = by
    locked.summary_at = locked.summary_at or timezone.now()
    locked.save(update_fields=["summary", "summary_by", "summary_at"])
    return locked


def report_reminders_send(*, today: date | None = None) -> int:
    """Remind evaluators without a report when their trial ends within a week. Each
    evaluator is reminded once per group (the outbox key), however often this runs."""
    today = today or timezone.localdate()
    owing = (Evaluator.objects
             .filter(group__starts_on__lte=today, group__ends_on__gte=today,
                     group__ends_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE), user__is_active=True)
             .exclude(Exists(Report.objects.filter(evaluator=OuterRef("pk"))))
             .select_related("user", "group__offering"))
    queued = 0
    for evaluator in owing:
        with transaction.atomic():
            enqueue_mail_to_user(
                user=evaluator.user, key=f"eservices.report_reminder:{evaluator.group_id}:{evaluator.user_id}",
                kind="eservices.report_reminder", template="eservices/mail/report_reminder",
                context={"group": evaluator.group, "evaluator": evaluator}, about=evaluator.group)
        queued += 1
    return queued


# ---------------------------------------------------------------- proposals and the annual plan


@transaction.atomic
def proposal_submit(*, library: Library, year: int, title: str, description: str, need: str, by: User,
                    today: date | None = None) -> Proposal:
    today = today or timezone.localdate()
    if year < today.year:
        raise ValidationError({"year": _("Propose for this year or a coming one.")})
    proposal = Proposal(library=library, year=year, title=title.strip(), description=description.strip(),
                        need=need.strip(), proposed_by=by)
    _clean(proposal)
    proposal.save()
    return proposal


@transaction.atomic
def proposal_support(*, proposal: Proposal, library: Library, by: User) -> ProposalSupport:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.library_id == library.pk:
        raise ValidationError(_("%(library)s made this proposal: its support is already counted.")
                              % {"library": library})
    if locked.state in (Proposal.State.PLANNED, Proposal.State.DECLINED):
        raise ValidationError(_("“%(title)s” has been decided on: it no longer takes support.") % {"title": locked.title})
    support, created = ProposalSupport.objects.get_or_create(proposal=locked, library=library,
                                                             defaults={"by": by})
    if not created:
        raise ValidationError(_("%(library)s already backs this proposal.") % {"library": library})
    return support


# new → under consideration → taken into the plan / not this year; a decision needs a reason.
TRIAGE_MOVES = {
    Proposal.State.NEW: (Proposal.State.CONSIDERING, Proposal.State.PLANNED, Proposal.State.DECLINED),
    Proposal.State.CONSIDERING: (Proposal.State.PLANNED, Proposal.State.DECLINED),
    Proposal.State.PLANNED: (),
    Proposal.State.DECLINED: (Proposal.State.CONSIDERING,),
}


@transaction.atomic
def proposal_triage(*, proposal: Proposal, state: str, reason: str = "", by: User) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if state not in Proposal.State.values or state not in TRIAGE_MOVES[Proposal.State(locked.state)]:
        raise ValidationError({"state": _("“%(title)s” cannot move from %(from)s to %(to)s.") % {
            "title": locked.title, "from": locked.get_state_display(),
            "to": dict(Proposal.State.choices).get(state, state)}})
    reason = reason.strip()
    if state in (Proposal.State.PLANNED, Proposal.State.DECLINED) and not reason:
        raise ValidationError({"reason": _("Give the proposer a reason for the decision.")})
    locked.state = state
    locked.reason = reason
    locked.triaged_by = by
    locked.triaged_at = timezone.now()
    locked.save(update_fields=["state", "reason", "triaged_by", "triaged_at"])
    return locked


@transaction.atomic
def plan_save(*, year: int, introduction: str = "", by: User) -> AnnualPlan:
    plan, _created = AnnualPlan.objects.select_for_update().get_or_create(year=year)
    plan.introduction = introduction.strip()
    _clean(plan)
    plan.save()
    return plan


@transaction.atomic
def plan_item_save(*, year: int, by: User, title: str, aim: str, theme: str, schedule: str,
                   status: str = PlanItem.Status.PLANNED, proposals=(), item: PlanItem | None = None,
                   title_sv: str = "", aim_sv: str = "") -> PlanItem:
    """An item of the plan, from members' proposals for the plan's year or staff's own.
    A proposal an item comes from is marked as taken into the plan. The year's plan is
    started by its first item."""
    plan, _created = AnnualPlan.objects.select_for_update().get_or_create(year=year)
    proposals = list(proposals)
    wrong_year = [p.title for p in proposals if p.year != plan.year]
    if wrong_year:
        raise ValidationError({"proposals": _("Proposals for another year than %(year)s: %(titles)s.") % {
            "year": plan.year, "titles": ", ".join(wrong_year)}})
    declined = [p.title for p in proposals if p.state == Proposal.State.DECLINED]
    if declined:
        raise ValidationError({"proposals": _("Proposals decided against this year: %(titles)s.") % {
            "titles": ", ".join(declined)}})
    item = item or PlanItem(plan=plan)
    if item.plan_id != plan.pk:
        raise ValidationError(_("The item belongs to another year's plan."))
    item.title_fi, item.title_sv = title.strip(), title_sv.strip()
    item.aim_fi, item.aim_sv = aim.strip(), aim_sv.strip()
    item.theme, item.schedule, item.status = theme, schedule.strip(), status
    _clean(item, exclude=["plan"])
    item.save()
    item.proposals.set(proposals)
    undecided = [p.pk for p in proposals if p.state != Proposal.State.PLANNED]
    if undecided:
        Proposal.objects.filter(pk__in=undecided).update(
            state=Proposal.State.PLANNED, triaged_by=by, triaged_at=timezone.now(),
            reason=_("Taken into the annual plan %(year)s: %(item)s.") % {"year": plan.year, "item": item.title_fi})
    return item


@transaction.atomic
def plan_publish(*, plan: AnnualPlan, by: User) -> AnnualPlan:
    locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.is_published:
        raise ValidationError(_("The plan %(year)s is already published.") % {"year": locked.year})
    if not locked.items.exists():
        raise ValidationError(_("The plan %(year)s has no items yet: add them before publishing.")
                              % {"year": locked.year})
    locked.published_at = timezone.now()
    locked.published_by = by
    locked.save(update_fields=["published_at", "published_by"])
    return locked
