"""Thin views of the e-services app: parse, check permission (permissions.py), call a
selector or a service, render. Objects outside a person's scope answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import add_service_errors
from consortium.models import LIBRARY_ROLES, Library, User
from consortium.permissions import roles_of
from consortium.views import permission_required

from . import permissions, selectors, services
from .exports import take_ups_workbook
from .filters import CatalogueFilter
from .forms import (
    EvaluatorForm,
    GroupForm,
    MoveForm,
    OfferingForm,
    PlanItemForm,
    ProposalForm,
    ReportForm,
    SummaryForm,
    TakeUpForm,
    TriageForm,
)
from .models import ALLOWED_MOVES, CRITERIA, AnnualPlan, Evaluator, Offering, Proposal, Stage

staff_only = permission_required(permissions.can_manage)
members_only = permission_required(permissions.is_member)


def _form_page(request, form, title, cancel_url, intro=""):
    return render(request, "eservices/form.html", {"form": form, "title": title, "cancel_url": cancel_url,
                                                   "intro": intro})


# ---------------------------------------------------------------- the catalogue


def catalogue(request):
    """Public: the offerings (only offered and discontinued ones for all but staff)."""
    staff = permissions.can_manage(request.user)
    stages = None if staff else selectors.PUBLIC_STAGES
    data = request.GET if request.GET else {"stage": "" if staff else Stage.OFFERED}
    filterset = CatalogueFilter(data, queryset=selectors.visible_offerings(request.user), stages=stages)
    return render(request, "eservices/catalogue.html", {
        "filter": filterset, "offerings": filterset.qs, "can_manage": staff})


def offering_detail(request, pk):
    offering = get_object_or_404(selectors.visible_offerings(request.user), pk=pk)
    staff = permissions.can_manage(request.user)
    take_ups = list(selectors.offering_take_ups(offering))
    own = permissions.answer_libraries(request.user)
    context = {"offering": offering, "take_ups": take_ups, "can_manage": staff,
               "can_take_up": offering.stage == Stage.OFFERED and (staff or bool(own)),
               "own_take_ups": [t for t in take_ups if t.library_id in own]}
    if staff:
        context["history"] = selectors.stage_history(offering)
        context["move_form"] = _move_form(offering)
    return render(request, "eservices/offering_detail.html", context)


def _move_form(offering, data=None):
    choices = [(stage.value, stage.label) for stage in ALLOWED_MOVES[Stage(offering.stage)]]
    return MoveForm(data, choices=choices)


@staff_only
def offering_edit(request, pk=None):
    offering = get_object_or_404(Offering, pk=pk) if pk else None
    form = OfferingForm(request.POST or None, initial=OfferingForm.initial_for(offering) if offering else None)
    if request.method == "POST" and form.is_valid():
        try:
            offering = services.offering_save(by=request.user, offering=offering, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offering was saved."))
            return redirect("eservices:offering_detail", pk=offering.pk)
    title = _("Change %(name)s") % {"name": offering.name} if offering else _("New offering")
    return _form_page(request, form, title, "eservices:catalogue")


@staff_only
@require_POST
def offering_move(request, pk):
    offering = get_object_or_404(Offering, pk=pk)
    form = _move_form(offering, request.POST)
    if form.is_valid():
        try:
            offering = services.offering_move(offering=offering, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(name)s” is now %(stage)s.") % {
                "name": offering.name, "stage": offering.get_stage_display()})
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect("eservices:offering_detail", pk=pk)


@login_required
def take_up(request, pk):
    """A library's contact (or staff for any library) records that the library uses it."""
    offering = get_object_or_404(selectors.visible_offerings(request.user), pk=pk)
    staff = permissions.can_manage(request.user)
    libraries = Library.objects.active() if staff else Library.objects.filter(
        pk__in=permissions.answer_libraries(request.user))
    if not staff and not libraries:
        raise Http404
    form = TakeUpForm(request.POST or None, libraries=libraries,
                      initial={"library": libraries[0].pk if len(libraries) == 1 else None,
                               "since": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if not permissions.can_record_take_up_for(request.user, form.cleaned_data["library"].pk):
            raise Http404
        try:
            services.take_up_record(offering=offering, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(library)s uses %(name)s.") % {
                "library": form.cleaned_data["library"], "name": offering.name})
            return redirect("eservices:offering_detail", pk=offering.pk)
    return _form_page(request, form, _("Take up %(name)s") % {"name": offering.name}, "eservices:catalogue")


@staff_only
def take_ups_export(request):
    response = HttpResponse(take_ups_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="e-service-take-ups.xlsx"'
    return response


# ---------------------------------------------------------------- evaluation groups


@members_only
def group_list(request):
    return render(request, "eservices/groups.html", {
        "groups": selectors.visible_groups(request.user), "can_manage": permissions.can_manage(request.user),
        "owed": selectors.owed_reports(request.user)})


@staff_only
def group_create(request):
    offerings = Offering.objects.exclude(stage=Stage.DISCONTINUED)
    form = GroupForm(request.POST or None, offerings=offerings, libraries=Library.objects.active())
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation group was created and the libraries invited."))
            return redirect("eservices:group_detail", pk=group.pk)
    return _form_page(request, form, _("New evaluation group"), "eservices:groups")


@members_only
def group_detail(request, pk):
    group = get_object_or_404(selectors.visible_groups(request.user), pk=pk)
    roles = roles_of(request.user)
    participations = list(selectors.group_participations(group))
    own = roles.library_ids
    context = {"group": group, "can_manage": roles.staff, "today": timezone.localdate(),
               "participations": participations if roles.staff else [p for p in participations
                                                                     if p.library_id in own],
               "answerable": roles.contact_of}
    if roles.staff or group.is_summarised:
        context["averages"] = selectors.group_averages(group)
    if roles.staff:
        context["summary_form"] = SummaryForm(initial={"summary": group.summary})
    return render(request, "eservices/group_detail.html", context)


@staff_only
@require_POST
def group_summary(request, pk):
    group = get_object_or_404(selectors.visible_groups(request.user), pk=pk)
    form = SummaryForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write the summary."))
        services.group_summarise(group=group, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The summary is shared with all members."))
    return redirect("eservices:group_detail", pk=pk)


@login_required
@require_POST
def participation_answer(request, pk):
    participation = get_object_or_404(selectors.answerable_participations(request.user), pk=pk)
    try:
        services.participation_answer(participation=participation, accept=request.POST.get("accept") == "yes",
                                      by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your library's answer was saved."))
    return redirect("eservices:group_detail", pk=participation.group_id)


@login_required
def evaluator_add(request, pk):
    participation = get_object_or_404(selectors.answerable_participations(request.user), pk=pk)
    people = User.objects.filter(is_active=True, pk__in=participation.library.role_assignments.filter(
        role__in=LIBRARY_ROLES).values("user"))
    form = EvaluatorForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluator_name(participation=participation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(person)s was named an evaluator.") % {"person": form.cleaned_data["user"]})
            return redirect("eservices:group_detail", pk=participation.group_id)
    return _form_page(request, form, _("Name an evaluator for %(library)s") % {"library": participation.library},
                      "eservices:groups")


@login_required
def report_write(request, evaluator_pk):
    """The evaluator's own report: only the evaluator writes or changes it."""
    evaluator = get_object_or_404(Evaluator.objects.select_related("group__offering"), pk=evaluator_pk,
                                  user=request.user)
    report = getattr(evaluator, "report", None)
    initial = None
    if report:
        initial = {name: getattr(report, name) for name, _label in CRITERIA} | {
            "text": report.text, "recommend": "yes" if report.recommend else "no"}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_save(evaluator=evaluator, report=report, by=request.user,
                                          ratings=form.ratings(), text=form.cleaned_data["text"],
                                          recommend=form.cleaned_data["recommend"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your report was saved. You can change it until the trial ends."))
            return redirect("eservices:report_detail", pk=report.pk)
    return _form_page(request, form, _("Experience report: %(group)s") % {"group": evaluator.group},
                      "eservices:groups", intro=_("The trial ends on %(date)s; until then you can change your report.")
                      % {"date": date_format(evaluator.group.ends_on, "SHORT_DATE_FORMAT")})


@members_only
def report_detail(request, pk):
    report = get_object_or_404(selectors.visible_reports(request.user), pk=pk)
    return render(request, "eservices/report_detail.html", {
        "report": report, "is_author": report.evaluator.user_id == request.user.pk,
        "open": report.evaluator.group.is_open_on(timezone.localdate())})


# ---------------------------------------------------------------- proposals and the annual plan


@members_only
def proposal_list(request):
    proposals = selectors.visible_proposals(request.user)
    state = request.GET.get("state")
    if state in Proposal.State.values:
        proposals = proposals.filter(state=state)
    return render(request, "eservices/proposals.html", {
        "proposals": proposals, "state": state, "states": Proposal.State.choices,
        "can_propose": permissions.can_propose(request.user)})


@members_only
def proposal_create(request):
    libraries = Library.objects.filter(pk__in=permissions.proposal_libraries(request.user))
    if not libraries:
        raise Http404
    form = ProposalForm(request.POST or None, libraries=libraries,
                        initial={"year": timezone.localdate().year + 1,
                                 "library": libraries[0].pk if len(libraries) == 1 else None})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_submit(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your proposal was sent to the consortium."))
            return redirect("eservices:proposal_detail", pk=proposal.pk)
    return _form_page(request, form, _("New proposal"), "eservices:proposals")


@members_only
def proposal_detail(request, pk):
    proposal = get_object_or_404(selectors.visible_proposals(request.user), pk=pk)
    own = permissions.proposal_libraries(request.user)
    supports = list(proposal.supports.select_related("library"))
    supporting = {support.library_id for support in supports}
    return render(request, "eservices/proposal_detail.html", {
        "proposal": proposal, "supports": supports, "can_manage": permissions.can_manage(request.user),
        "can_support": Library.objects.filter(pk__in=own - supporting - {proposal.library_id}),
        "triage_form": TriageForm(initial={"state": proposal.state, "reason": proposal.reason})})


@members_only
@require_POST
def proposal_support(request, pk):
    proposal = get_object_or_404(selectors.visible_proposals(request.user), pk=pk)
    library = get_object_or_404(Library, pk=request.POST.get("library") or 0,
                                pk__in=permissions.proposal_libraries(request.user))
    try:
        services.proposal_support(proposal=proposal, library=library, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(library)s backs the proposal.") % {"library": library})
    return redirect("eservices:proposal_detail", pk=pk)


@staff_only
@require_POST
def proposal_triage(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    form = TriageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a decision."))
        services.proposal_triage(proposal=proposal, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The decision was saved; the proposer sees it with its reason."))
    return redirect("eservices:proposal_detail", pk=pk)


@members_only
def plan_detail(request, year=None):
    year = year or timezone.localdate().year + 1
    staff = permissions.can_manage(request.user)
    plan = selectors.visible_plans(request.user).filter(year=year).first()
    if plan is None and not staff:
        raise Http404
    return render(request, "eservices/plan.html", {
        "year": year, "plan": plan, "items": selectors.plan_items(plan) if plan else [], "can_manage": staff,
        "years": selectors.visible_plans(request.user).values_list("year", flat=True)})


@staff_only
def plan_item_add(request, year):
    proposals = Proposal.objects.filter(year=year).exclude(state=Proposal.State.DECLINED)
    form = PlanItemForm(request.POST or None, proposals=proposals)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_save(year=year, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item was added to the plan."))
            return redirect("eservices:plan_year", year=year)
    return _form_page(request, form, _("New item in the annual plan %(year)s") % {"year": year}, "eservices:plan")


@staff_only
@require_POST
def plan_publish(request, year):
    plan = get_object_or_404(AnnualPlan, year=year)
    try:
        services.plan_publish(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The plan is published to the members."))
    return redirect("eservices:plan_year", year=year)
