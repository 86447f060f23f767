"""Thin views of the core: parse, check permission, call a selector or a service, render."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .actions import run_service
from . import selectors, services
from .forms import (
    EmailLoginForm,
    InviteForm,
    LibraryForm,
    PersonForm,
    ProfileForm,
    RoleForm,
    ServicePointForm,
    add_service_errors,
)
from . import outbox
from .health import health_report
from .jobs import job_run_queue, live_progress
from .models import JobRun, Library, OutboxMessage, Role, RoleAssignment, ServicePoint
from .permissions import can_manage_organisations, can_manage_people, can_see_jobs, can_see_outbox, has_a_role, roles_of
from .frontpage import kept_front_page
from .pagecache import kept_page
from .registry import cards_for

PAGE_SIZE = 50


def permission_required(check):
    """Login required, then `check(user)` must hold (403 otherwise: the page itself is no
    secret, only its use). Objects out of scope are answered 404 by the selectors."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_or_404(getter, **kwargs):
    """Call a selector's getter; an object outside the user's scope is simply not found."""
    try:
        return getter(**kwargs)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# ---------------------------------------------------------------- sign-in and language


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # A language chosen on the login page (the switcher sets the cookie) is the choice
        # made now: it wins over the one in the profile, and is saved there.
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        response = super().form_valid(form)
        if chosen in dict(settings.LANGUAGES):
            services.user_set_language(user=form.get_user(), language=chosen)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts a login lock-out of the
    address: the lock-out page sends the person here, and the link proves the mailbox."""

    def form_valid(self, form):
        from axes.utils import reset as reset_login_attempts

        response = super().form_valid(form)
        reset_login_attempts(username=form.user.email.strip().lower())
        return response


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person sets their first password through the reset-token machinery."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. You can now log in."))
        return super().form_valid(form)


@require_POST
def set_language(request):
    """Switch the interface language; remembered in a cookie and, for a logged-in person,
    in their profile (mail they receive goes out in it too)."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            services.user_set_language(user=request.user, language=language)
        except ValidationError:
            pass  # Django's view below ignores an unknown language the same way
    return django_set_language(request)


def accessibility_statement(request):
    return render(request, "consortium/accessibility.html")


# ---------------------------------------------------------------- front page


@login_required
def home(request):
    roles = roles_of(request.user)

    def render_page(csrf_token):
        context = {"cards": cards_for(request, roles) if roles.any else []}
        if csrf_token is not None:
            context["csrf_token"] = csrf_token
        return render_to_string("consortium/home.html", context, request=request)

    return HttpResponse(kept_front_page(request, render_page))


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=request.user, is_active=True, **{
                key: form.cleaned_data[key] for key in ("full_name", "title", "phone", "language")
            })
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your details were saved."))
            return redirect("profile")
    return render(request, "consortium/profile.html", {"form": form})


# ---------------------------------------------------------------- libraries


@permission_required(has_a_role)
def library_list(request):
    search = request.GET.get("q", "").strip()
    libraries = selectors.library_list(user=request.user, search=search, area=request.GET.get("area", ""))
    page = Paginator(libraries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/library_list.html", {
        "page": page, "search": search, "can_manage": can_manage_organisations(request.user),
    })


@permission_required(has_a_role)
def library_detail(request, pk):
    library = get_or_404(selectors.library_get, user=request.user, pk=pk)
    return render(request, "consortium/library_detail.html", {
        "library": library, "can_manage": can_manage_organisations(request.user),
    })


@permission_required(can_manage_organisations)
def library_edit(request, pk=None):
    library = get_or_404(selectors.library_get, user=request.user, pk=pk) if pk else Library()
    form = LibraryForm(request.POST or None, instance=library)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.library_save(library=form.save(commit=False),
                                          cooperation_areas=form.cleaned_data["cooperation_areas"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The library %(name)s was saved.") % {"name": saved})
            return redirect("library_detail", pk=saved.pk)
    return render(request, "consortium/library_form.html", {"form": form, "library": library})


@permission_required(can_manage_organisations)
def service_point_edit(request, library_pk, pk=None):
    library = get_or_404(selectors.library_get, user=request.user, pk=library_pk)
    point = get_object_or_404(ServicePoint, pk=pk, library=library) if pk else ServicePoint(library=library)
    form = ServicePointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_point_save(service_point=form.save(commit=False), external_ids=form.external_ids())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The service point %(name)s was saved.") % {"name": point.name})
            return redirect("library_detail", pk=library.pk)
    return render(request, "consortium/service_point_form.html", {"form": form, "library": library, "point": point})


# ---------------------------------------------------------------- people


@permission_required(has_a_role)
@kept_page
def people_list(request):
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    people = selectors.people_list(user=request.user, search=search, role=role if role in Role.values else "")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/people_list.html", {
        "page": page, "search": search, "role": role, "role_choices": Role.choices,
        "can_manage": can_manage_people(request.user),
    })


@permission_required(has_a_role)
def person_detail(request, pk):
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    can_manage = can_manage_people(request.user)
    person_form = PersonForm(instance=person, prefix="person") if can_manage else None
    role_form = RoleForm(prefix="role") if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "update":
            person_form = PersonForm(request.POST, instance=person, prefix="person")
            if person_form.is_valid():
                try:
                    services.user_update(user=person, **person_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(person_form, error)
                else:
                    messages.success(request, _("The details were saved."))
                    return redirect("person_detail", pk=person.pk)
        elif action == "add_role":
            role_form = RoleForm(request.POST, prefix="role")
            if role_form.is_valid():
                try:
                    services.role_assign(user=person, **role_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(role_form, error)
                else:
                    messages.success(request, _("The role was added."))
                    return redirect("person_detail", pk=person.pk)
        elif action == "remove_role":
            assignment = get_or_404(lambda pk: RoleAssignment.objects.get(pk=int(pk), user=person),
                                    pk=request.POST.get("assignment", ""))
            services.role_remove(assignment=assignment)
            messages.success(request, _("The role was removed."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "consortium/person_detail.html", {
        "person": person, "can_manage": can_manage, "person_form": person_form, "role_form": role_form,
    })


@permission_required(can_manage_people)
def person_invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.user_invite(invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if person.has_usable_password():  # an account in use: no invitation, only the new role
                messages.success(request, _("%(email)s already has an account; the role was added to it.")
                                 % {"email": person.email})
            else:
                messages.success(request, _("An invitation was sent to %(email)s.") % {"email": person.email})
            return redirect("person_detail", pk=person.pk)
    return render(request, "consortium/person_invite.html", {"form": form})


# ---------------------------------------------------------------- personal data


@permission_required(can_manage_people)
def person_data_export(request, pk):
    """A data-access request: everything kept about the person, as a JSON download."""
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    data = services.person_data_export(person=person, by=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


@require_POST
@permission_required(can_manage_people)
def person_data_erase(request, pk):
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("person_detail", pk=person.pk)
    try:
        services.person_data_erase(person=person, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("person_detail", pk=person.pk)
    messages.success(request, _("The person's data was erased; the account remains, pseudonymised, in the audit trails."))
    return redirect("people_list")


# ---------------------------------------------------------------- health


def healthz(request):
    """For load balancers and monitoring: JSON, 503 only when the database fails."""
    healthy, report = health_report()
    response = JsonResponse({"ok": healthy, **report}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- background jobs


@permission_required(can_see_jobs)
@kept_page
def job_list(request):
    page = Paginator(selectors.job_run_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/job_list.html", {"page": page})


@permission_required(can_see_jobs)
def job_detail(request, pk):
    run = live_progress(get_object_or_404(selectors.job_run_list(), pk=pk))
    # The page that started the job may ask to be linked back to (?next=/stats/2024/overview/):
    # only a path of this site, never another host.
    back = request.GET.get("next", "")
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = ""
    return render(request, "consortium/job_detail.html", {"run": run, "back": back})


@permission_required(can_see_jobs)
def job_status(request, pk):
    """Polled by the progress bars while a job runs."""
    run = live_progress(get_object_or_404(JobRun, pk=pk))
    return JsonResponse({
        "id": run.pk, "state": run.state, "state_label": run.get_state_display(), "done": run.progress_done,
        "total": run.progress_total, "percent": run.percent, "message": run.message, "finished": run.is_finished,
    })


@require_POST
@permission_required(can_manage_organisations)
def job_start_organisation_check(request):
    from .tasks import check_organisation_data

    run = job_run_queue(task=check_organisation_data, label=_("Check of the organisation data"),
                        created_by=request.user)
    messages.info(request, _("The check was queued and will run shortly."))
    return redirect("job_detail", pk=run.pk)


# ---------------------------------------------------------------- the mail outbox


@permission_required(can_see_outbox)
def outbox_failed(request):
    """Mail that could not be sent, with the server's reason, and a button to send again."""
    page = Paginator(outbox.failed_messages(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/outbox_failed.html", {"page": page, "counts": outbox.outbox_counts()})


@require_POST
@permission_required(can_see_outbox)
def outbox_resend(request, pk):
    message = get_object_or_404(OutboxMessage, pk=pk)
    run_service(request, lambda: outbox.message_resend(message=message, by=request.user),
                success_message=_("The message to %(to)s will be sent again shortly.") % {"to": message.to})
    return redirect("outbox_failed")
