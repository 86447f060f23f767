"""Thin views: parse, check permission, call a selector or a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.forms import add_service_errors
from consortium.pagecache import kept_page
from consortium.views import get_or_404, permission_required

from . import exports, ocds, selectors, services
from .forms import (
    AgreementForm,
    AppealDecisionForm,
    AppealForm,
    AwardForm,
    ContractNoteForm,
    DocumentForm,
    MoveForm,
    OptInForm,
    ProcurementForm,
    SignForm,
)
from .models import Answer, Appeal, Category, FrameworkAgreement, OptIn, Procurement, ProcurementDocument, State
from .permissions import answering_libraries, can_manage_procurements, can_see_procurements

PAGE_SIZE = 50


def _chosen_library(request):
    """The library whose answers a member's pages show: ?library=<id> among their own."""
    libraries = list(answering_libraries(request.user))
    if not libraries:
        return None, libraries
    wanted = request.GET.get("library")
    for library in libraries:
        if str(library.pk) == wanted:
            return library, libraries
    return libraries[0], libraries


# ---------------------------------------------------------------- members' pages


@permission_required(can_see_procurements)
@kept_page
def procurement_list(request):
    library, libraries = _chosen_library(request)
    state = request.GET.get("state", "")
    category = request.GET.get("category", "")
    qs = selectors.procurement_list(user=request.user, library=library, state=state, category=category)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    today = timezone.localdate(now)
    # Labels translated once per page, not through get_FOO_display for every row (each
    # call walks the choices and casts their lazy translations again).
    state_labels = {value: str(label) for value, label in State.choices}
    category_labels = {value: str(label) for value, label in Category.choices}
    for procurement in page:
        procurement.state_label = state_labels.get(procurement.state, procurement.state)
        procurement.category_label = category_labels.get(procurement.category, procurement.category)
        # Days left and the invitation to answer only while answers are taken: a procurement
        # still "open" after its deadline (not yet moved to "closed") is frozen already.
        procurement.is_open = procurement.is_open_for_answers(now)
        procurement.days = procurement.days_left(today) if procurement.is_open else None
        if library is not None:
            procurement.my_answer_label = Answer(procurement.my_answer).label if procurement.my_answer else ""
    return render(request, "procurement/procurement_list.html", {
        "page": page, "library": library, "libraries": libraries, "state": state, "category": category,
        "state_choices": State.choices, "category_choices": Category.choices,
        "can_manage": can_manage_procurements(request.user), "Answer": Answer,
    })


@permission_required(can_see_procurements)
def procurement_detail(request, pk):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    can_manage = can_manage_procurements(request.user)
    my_answers = []
    for library in answering_libraries(request.user):
        my_answers.append((library, selectors.opt_in_get(user=request.user, procurement=procurement,
                                                           library=library)))
    pending = [appeal for appeal in procurement.appeals.all() if appeal.status == Appeal.Status.PENDING]
    context = {
        "procurement": procurement, "can_manage": can_manage, "my_answers": my_answers,
        "days_left": procurement.days_left() if procurement.state == State.OPEN else None,
        "is_open": procurement.is_open_for_answers(),
        "documents": procurement.documents.filter(agreement__isnull=True),
        "awards": procurement.awards.select_related("supplier"),
        "agreements": procurement.agreements.select_related("supplier"),
        "appeals": procurement.appeals.all(), "pending_appeals": pending,
        "transitions": procurement.transitions.select_related("by"),
        "call_offs": procurement.call_offs.all(),
    }
    if can_manage:
        context.update({
            "move_form": MoveForm(procurement=procurement) if procurement.allowed_moves() else None,
            "document_form": DocumentForm(), "award_form": AwardForm(), "appeal_form": AppealForm(),
            "overview": next(iter(selectors.staff_overview(pk=procurement.pk)), None),
            "answers": selectors.participants(procurement=procurement,
                                              answers=(Answer.COMMITTED, Answer.INTERESTED, Answer.DECLINED)),
        })
    return render(request, "procurement/procurement_detail.html", context)


@permission_required(can_see_procurements)
def opt_in_edit(request, pk, library_pk):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    # Only the libraries the person answers for are found; any other is 404.
    library = get_object_or_404(answering_libraries(request.user), pk=library_pk)
    current = selectors.opt_in_get(user=request.user, procurement=procurement, library=library)
    version = current.version if current else 0
    initial = {"version": version, "contact_name": request.user.full_name, "contact_email": request.user.email,
               "contact_phone": request.user.phone}
    if current and current.answer != Answer.WITHDRAWN:
        initial.update({name: getattr(current, name) for name in OptIn.AUDITED_FIELDS})
        if current.yearly_estimate is not None:
            initial["yearly_estimate"] = f"{current.yearly_estimate:.2f}".replace(".", ",")
    form = OptInForm(request.POST or None, initial=initial)
    is_open = procurement.is_open_for_answers()
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("The opt-in is closed; the answer can no longer be changed."))
            return redirect("procurement:opt_in", pk=procurement.pk, library_pk=library.pk)
        if request.POST.get("action") == "withdraw":
            try:
                services.opt_in_withdraw(procurement=procurement, library=library, by=request.user,
                                         expected_version=int(request.POST.get("version") or 0))
            except (ValidationError, ValueError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("%(library)s's answer was withdrawn.") % {"library": library})
            return redirect("procurement:opt_in", pk=procurement.pk, library_pk=library.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            expected = data.pop("version")
            try:
                services.opt_in_answer(procurement=procurement, library=library, by=request.user,
                                       expected_version=expected, **data)
            except ValidationError as error:
                add_service_errors(form, error)
                # After a conflict the page shows the other person's answer; the form now
                # carries that version, so sending it again is a decision made knowingly.
                current = selectors.opt_in_get(user=request.user, procurement=procurement, library=library)
                version = current.version if current else 0
                if version != expected:
                    form.data = form.data.copy()
                    form.data["version"] = version
            else:
                messages.success(request, _("%(library)s's answer was saved.") % {"library": library})
                return redirect("procurement:opt_in", pk=procurement.pk, library_pk=library.pk)
    events = selectors.opt_in_events(user=request.user, procurement=procurement, library=library)
    return render(request, "procurement/opt_in_form.html", {
        "procurement": procurement, "library": library, "form": form, "current": current, "is_open": is_open,
        "events": events, "days_left": procurement.days_left(), "version": version,
    })


@permission_required(can_see_procurements)
def our_agreements(request):
    library, libraries = _chosen_library(request)
    ids = [library.pk] if library else []
    today = timezone.localdate()
    agreements = list(selectors.agreements_for_libraries(library_ids=ids, today=today))
    joinable = list(selectors.joinable_agreements(library_ids=ids, today=today))
    for agreement in agreements + joinable:
        agreement.join_days = agreement.joining_days_left(today)
    return render(request, "procurement/our_agreements.html", {
        "library": library, "libraries": libraries, "agreements": agreements, "joinable": joinable, "today": today,
    })


@require_POST
@permission_required(can_see_procurements)
def agreement_join(request, pk, library_pk):
    agreement = get_object_or_404(FrameworkAgreement.objects.select_related("procurement"), pk=pk)
    library = get_object_or_404(answering_libraries(request.user), pk=library_pk)
    run_service(request, lambda: services.agreement_join(agreement=agreement, library=library, by=request.user),
                success_message=_("%(library)s joined the agreement.") % {"library": library})
    return redirect(f"{reverse('procurement:our_agreements')}?library={library.pk}")


@permission_required(can_see_procurements)
def document_download(request, pk):
    document = get_object_or_404(ProcurementDocument, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=document.download_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required(can_see_procurements)
def agreement_detail(request, pk):
    agreement = get_object_or_404(FrameworkAgreement.objects.select_related("procurement", "supplier", "award"),
                                  pk=pk)
    can_manage = can_manage_procurements(request.user)
    form = ContractNoteForm(agreement=agreement) if can_manage else None
    sign_form = SignForm() if can_manage else None
    return render(request, "procurement/agreement_detail.html", {
        "agreement": agreement, "can_manage": can_manage, "note_form": form, "sign_form": sign_form,
        "document_form": DocumentForm(initial={"kind": "agreement"}) if can_manage else None,
        "notes": agreement.notes.select_related("by", "library") if can_manage else [],
        "libraries": agreement.libraries.select_related("municipality"),
        "documents": agreement.documents.all(),
        "pending_appeals": agreement.procurement.appeals.filter(status=Appeal.Status.PENDING).exists(),
        "join_days": agreement.joining_days_left(),
    })


# ---------------------------------------------------------------- open data


def procurement_ocds(request, pk):
    """The procurement as an OCDS 1.1 release package: public open data at a stable URL."""
    procurement = get_object_or_404(Procurement.objects.select_related("purchasing_body"), pk=pk)
    package = ocds.release_package(procurement, request=request)
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# ---------------------------------------------------------------- staff


@permission_required(can_manage_procurements)
def staff_overview(request):
    procurements = selectors.staff_overview()
    return render(request, "procurement/staff_overview.html", {
        "procurements": procurements, "sums": selectors.sums_by_category(),
        "ending": selectors.agreements_ending(months=6), "pending_appeals": selectors.pending_appeals(),
        "member_count": selectors.member_libraries().count(),
    })


@permission_required(can_manage_procurements)
def procurement_edit(request, pk=None):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk) if pk else Procurement()
    form = ProcurementForm(request.POST or None, instance=procurement)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.procurement_save(procurement=procurement, by=request.user, **{
                name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The procurement was saved."))
            return redirect(saved)
    return render(request, "procurement/procurement_form.html", {"form": form, "procurement": procurement})


def _error_messages(request, error, fields=None):
    """A service's refusal as messages, each led by the label of the field it concerns (the
    forms of these actions sit among others on the page, so the field must be named)."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        for text in error.messages:
            messages.error(request, text)
        return
    for name, errors in error.message_dict.items():
        label = fields[name].label if name in fields else ""
        for text in errors:
            messages.error(request, f"{label}: {text}" if label and not text.startswith(f"{label}:") else text)


def _post_action(request, pk, action, fields=None):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    try:
        message = action(procurement)
    except ValidationError as error:
        _error_messages(request, error, fields)
    else:
        messages.success(request, message)
    return redirect(procurement)


def _form_or_error(form):
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
                               for name, errors in form.errors.items()])
    return form.cleaned_data


@require_POST
@permission_required(can_manage_procurements)
def procurement_move(request, pk):
    def action(procurement):
        data = _form_or_error(MoveForm(request.POST, procurement=procurement))
        services.procurement_move(procurement=procurement, to_state=data["to_state"], by=request.user,
                                  reason=data["reason"])
        return _("The procurement is now “%(state)s”.") % {"state": State(data["to_state"]).label}

    return _post_action(request, pk, action, MoveForm.base_fields)


@require_POST
@permission_required(can_manage_procurements)
def document_upload(request, pk):
    def action(procurement):
        data = _form_or_error(DocumentForm(request.POST, request.FILES))
        agreement = None
        if request.POST.get("agreement"):
            if not request.POST["agreement"].isdigit():
                raise Http404
            agreement = get_object_or_404(FrameworkAgreement, pk=request.POST["agreement"], procurement=procurement)
        services.document_upload(procurement=procurement, uploaded_file=data["file"], kind=data["kind"],
                                 title=data["title"], by=request.user, agreement=agreement)
        return _("The document was uploaded.")

    response = _post_action(request, pk, action, DocumentForm.base_fields)
    if request.POST.get("agreement", "").isdigit():
        return redirect("procurement:agreement_detail", pk=int(request.POST["agreement"]))
    return response


@require_POST
@permission_required(can_manage_procurements)
def award_add(request, pk):
    def action(procurement):
        data = _form_or_error(AwardForm(request.POST))
        services.award_record(procurement=procurement, by=request.user, **data)
        return _("The award was recorded.")

    return _post_action(request, pk, action, AwardForm.base_fields)


@require_POST
@permission_required(can_manage_procurements)
def appeal_add(request, pk):
    def action(procurement):
        form = AppealForm(request.POST, instance=Appeal(procurement=procurement))
        _form_or_error(form)
        services.appeal_record(appeal=form.instance, by=request.user)
        return _("The appeal was recorded.")

    return _post_action(request, pk, action, AppealForm.base_fields)


@require_POST
@permission_required(can_manage_procurements)
def appeal_decide(request, pk):
    appeal = get_object_or_404(Appeal, pk=pk)

    def action(procurement):
        data = _form_or_error(AppealDecisionForm(request.POST))
        services.appeal_decide(appeal=appeal, by=request.user, **data)
        return _("The decision on the appeal was recorded.")

    return _post_action(request, appeal.procurement_id, action, AppealDecisionForm.base_fields)


@permission_required(can_manage_procurements)
def agreement_edit(request, pk, agreement_pk=None):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    agreement = (get_object_or_404(FrameworkAgreement, pk=agreement_pk, procurement=procurement) if agreement_pk
                 else FrameworkAgreement(procurement=procurement, reference=procurement.body_reference))
    form = AgreementForm(request.POST or None, instance=agreement, procurement=procurement)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreement_save(agreement=form.save(commit=False), libraries=form.cleaned_data["libraries"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The framework agreement was saved."))
            return redirect(saved)
    return render(request, "procurement/agreement_form.html", {"form": form, "procurement": procurement,
                                                                "agreement": agreement})


@require_POST
@permission_required(can_manage_procurements)
def agreement_sign(request, pk):
    agreement = get_object_or_404(FrameworkAgreement, pk=pk)
    form = SignForm(request.POST)
    try:
        data = _form_or_error(form)
        services.agreement_sign(agreement=agreement, signed_on=data["signed_on"], by=request.user)
    except ValidationError as error:
        _error_messages(request, error, SignForm.base_fields)
    else:
        messages.success(request, _("The signing was recorded."))
    return redirect(agreement)


@require_POST
@permission_required(can_manage_procurements)
def contract_note_add(request, pk):
    agreement = get_object_or_404(FrameworkAgreement, pk=pk)
    form = ContractNoteForm(request.POST, agreement=agreement)
    try:
        data = _form_or_error(form)
        services.contract_note_add(agreement=agreement, by=request.user, **data)
    except ValidationError as error:
        _error_messages(request, error, ContractNoteForm.base_fields)
    else:
        messages.success(request, _("The note was saved."))
    return redirect(agreement)


@permission_required(can_manage_procurements)
def audit_trail(request, pk):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    events = selectors.opt_in_events(user=request.user, procurement=procurement)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procurement/audit_trail.html", {"procurement": procurement, "page": page})


@permission_required(can_manage_procurements)
def participants_xlsx(request, pk):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    content = exports.participants_workbook(procurement)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(procurement, "xlsx")}"'
    return response


@permission_required(can_manage_procurements)
def participants_csv(request, pk):
    procurement = get_or_404(selectors.procurement_get, user=request.user, pk=pk)
    response = HttpResponse(exports.participants_csv(procurement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(procurement, "csv")}"'
    return response
