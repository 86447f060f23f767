"""Thin views of the trainings: parse, check permission (permissions.py), call a selector
or a service, render. A registration outside the person's scope is not found (404)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import add_service_errors
from consortium.views import get_or_404, permission_required

from . import exports, permissions, selectors, services
from .filters import TrainingFilter
from .forms import FeedbackForm, MessageForm, RegistrationForm, SupportForm, TrainingForm, WishForm
from .ics import training_ics
from .models import HELSINKI, FeedToken, Registration, Training, TrainingWish

can_manage = permission_required(permissions.can_manage)
can_wish = permission_required(permissions.can_wish)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# ---------------------------------------------------------------- public calendar


def calendar(request):
    """The public list of coming trainings, or a month (?month=2026-11), filtered by kind and theme."""
    now = timezone.now()
    month = request.GET.get("month", "")
    base = selectors.public_trainings()
    training_filter = TrainingFilter(request.GET or None, queryset=base)
    trainings = training_filter.qs
    context = {"filter": training_filter, "month": None}
    if month:
        try:
            year, number = (int(part) for part in month.split("-"))
            first = date(year, number, 1)
        except ValueError as error:
            raise Http404 from error
        following = date(year + number // 12, number % 12 + 1, 1)
        in_month = list(trainings.filter(starts_at__date__gte=first, starts_at__date__lt=following))
        previous = date(year - (number == 1), (number - 2) % 12 + 1, 1)
        context.update(month=first, weeks=selectors.month_grid(in_month, year=year, month=number),
                       previous=f"{previous:%Y-%m}", following=f"{following:%Y-%m}")
    else:
        context["trainings"] = list(trainings.filter(ends_at__gte=now)[:100])
        context["this_month"] = f"{timezone.localtime(now, HELSINKI):%Y-%m}"
    return render(request, "trainings/calendar.html", context)


def detail(request, pk):
    training = get_or_404(selectors.training_get_public, pk=pk)
    user = request.user
    mine = list(selectors.my_registrations(user).filter(training=training)) if user.is_authenticated else []
    return render(request, "trainings/detail.html", {
        "training": training, "mine": mine,
        "show_link": selectors.person_has_place(training, user) or permissions.can_manage(user),
        "can_register_self": permissions.can_register_self(user),
        "can_register_others": permissions.can_register_others(user),
        "can_manage": permissions.can_manage(user),
    })


def training_ics_file(request, pk):
    training = get_or_404(selectors.training_get_public, pk=pk)
    return _ics_response(training_ics([training], with_link=False, name=training.title), f"koulutus-{pk}.ics")


def personal_feed(request, token):
    """The subscription address: the person's registered trainings, online links included."""
    feed = get_object_or_404(FeedToken.objects.select_related("user"), token=token)
    trainings = [r.training for r in selectors.my_registrations(feed.user).filter(
        state=Registration.State.REGISTERED)]
    return _ics_response(training_ics(trainings, with_link=True, name=_("My trainings")), "omat-koulutukset.ics")


# ---------------------------------------------------------------- registering


@login_required
def register(request, pk):
    """Register yourself, or (a library contact) a colleague of your own library."""
    training = get_or_404(selectors.training_get_public, pk=pk)
    for_others = request.GET.get("for") == "colleague" or "full_name" in request.POST
    libraries = permissions.registrar_libraries(request.user) if for_others \
        else permissions.self_libraries(request.user)
    if not libraries.exists():
        raise Http404
    data = request.POST or None
    if data is not None and not libraries.filter(pk=data.get("library") or 0).exists():
        raise Http404  # another library's staff: not a library this person registers for
    form = RegistrationForm(data, libraries=libraries, self_registration=not for_others)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            registration = services.registration_create(
                training=training, library=form.cleaned_data["library"],
                full_name=form.cleaned_data["full_name"] if for_others else user.full_name,
                email=form.cleaned_data["email"] if for_others else user.email,
                user=None if for_others else user, language=request.LANGUAGE_CODE, by=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if registration.state == Registration.State.REGISTERED:
                messages.success(request, _("%(name)s is registered. A confirmation was sent by e-mail.")
                                 % {"name": registration.full_name})
            else:
                messages.warning(request, _("The training is full: %(name)s is on the waiting list and will be "
                                            "told by e-mail if a place frees up.") % {"name": registration.full_name})
            if for_others:
                return redirect(reverse("trainings:register", args=[training.pk]) + "?for=colleague")
            return redirect("trainings:detail", pk=training.pk)
    return render(request, "trainings/register.html", {"training": training, "form": form,
                                                       "for_others": for_others})


def registration_page(request, token):
    """The page the mails link to: accept an offered place, cancel, give feedback."""
    registration = get_or_404(selectors.registration_by_token, token=token)
    feedback_form = None
    if registration.attended and not hasattr(registration, "feedback"):
        feedback_form = FeedbackForm(request.POST if request.POST.get("action") == "feedback" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.offer_accept(registration=registration, by=request.user if request.user.is_authenticated
                                      else None)
                messages.success(request, _("You have a place. A confirmation was sent by e-mail."))
            elif action == "cancel":
                services.registration_cancel(registration=registration, by=request.user
                                             if request.user.is_authenticated else None)
                messages.success(request, _("The registration is cancelled."))
            elif action == "feedback" and feedback_form is not None and feedback_form.is_valid():
                services.feedback_give(registration=registration, rating=feedback_form.cleaned_data["rating"],
                                       text=feedback_form.cleaned_data["text"])
                messages.success(request, _("Thank you for your feedback."))
            else:
                raise ValidationError(_("Check the form."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("trainings:registration", token=token)
    registration.refresh_from_db()
    return render(request, "trainings/registration.html", {
        "registration": registration, "training": registration.training, "feedback_form": feedback_form,
        "show_link": registration.state == Registration.State.REGISTERED})


@login_required
def my_trainings(request):
    feed = FeedToken.objects.filter(user=request.user).first()
    if request.method == "POST":
        feed = services.feed_token_renew(user=request.user, by=request.user)
        messages.success(request, _("A new calendar address was made; the old one no longer works."))
        return redirect("trainings:mine")
    return render(request, "trainings/mine.html", {
        "registrations": selectors.my_registrations(request.user),
        "feed_url": request.build_absolute_uri(f"/trainings/feed/{feed.token}.ics") if feed else ""})


# ---------------------------------------------------------------- staff


@can_manage
def edit(request, pk=None, wish_pk=None):
    training = get_or_404(selectors.training_get_for_staff, pk=pk) if pk else Training()
    wish = get_object_or_404(TrainingWish, pk=wish_pk, closed_at__isnull=True) if wish_pk else None
    initial = {"title_fi": wish.topic, "eservice": wish.eservice, "theme": wish.topic} if wish else None
    form = TrainingForm(request.POST or None, instance=training, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = form.save(commit=False)
        try:
            if wish:
                saved = services.training_create_from_wish(wish=wish, training=draft,
                                                           libraries=form.cleaned_data["libraries"], by=request.user)
            else:
                saved = services.training_save(training=draft, libraries=form.cleaned_data["libraries"],
                                               by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("trainings:registrations", pk=saved.pk)
    return render(request, "trainings/form.html", {"form": form, "training": training if pk else None,
                                                   "wish": wish})


@require_POST
@can_manage
def change_state(request, pk, action):
    training = get_or_404(selectors.training_get_for_staff, pk=pk)
    try:
        if action == "publish":
            services.training_publish(training=training, by=request.user)
        elif action == "cancel":
            services.training_cancel(training=training, by=request.user)
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("trainings:registrations", pk=pk)


@login_required
def registrations(request, pk):
    """Registrations per library: all for staff, a contact's own libraries for the contact."""
    manage = permissions.can_manage(request.user)
    if not manage and not permissions.can_register_others(request.user):
        raise Http404
    training = get_or_404(selectors.training_get_for_staff if manage else selectors.training_get_public, pk=pk)
    rows = list(selectors.registrations_for(training=training, user=request.user))
    if request.method == "POST" and manage:
        try:
            services.attendance_mark(training=training, present_ids=request.POST.getlist("present"), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("trainings:registrations", pk=pk)
    return render(request, "trainings/registrations.html", {
        "training": training, "groups": selectors.registrations_by_library(rows), "can_manage": manage,
        "summary": selectors.feedback_summary(training) if manage else None,
        "message_form": MessageForm() if manage else None, "states": Registration.State})


@login_required
def registrations_xlsx(request, pk):
    manage = permissions.can_manage(request.user)
    if not manage and not permissions.can_register_others(request.user):
        raise Http404
    training = get_or_404(selectors.training_get_public if not manage else selectors.training_get_for_staff, pk=pk)
    body = exports.registrations_workbook(training, selectors.registrations_for(training=training, user=request.user))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="koulutus-{pk}-ilmoittautuneet.xlsx"'
    return response


@require_POST
@can_manage
def cancel_registration(request, pk, registration_pk):
    registration = get_object_or_404(Registration, pk=registration_pk, training_id=pk)
    try:
        services.registration_cancel(registration=registration, by=request.user, staff=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("trainings:registrations", pk=pk)


@require_POST
@can_manage
def message(request, pk):
    training = get_or_404(selectors.training_get_for_staff, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            count = services.staff_message_send(training=training, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The message goes to %(count)s people.") % {"count": count})
    else:
        messages.error(request, _("Write a subject and the message."))
    return redirect("trainings:registrations", pk=pk)


@can_manage
def manage(request):
    trainings = selectors.annotate_counts(Training.objects.all()).order_by("-starts_at")[:200]
    return render(request, "trainings/manage.html", {"trainings": trainings})


# ---------------------------------------------------------------- wishes


@can_wish
def wishes(request):
    libraries = permissions.self_libraries(request.user)
    form = WishForm(request.POST or None, libraries=libraries)
    if request.method == "POST":
        if not libraries.filter(pk=request.POST.get("library") or 0).exists():
            raise Http404
        if form.is_valid():
            try:
                services.wish_create(topic=form.cleaned_data["topic"], eservice=form.cleaned_data["eservice"],
                                     library=form.cleaned_data["library"],
                                     staff_count=form.cleaned_data["staff_count"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: the wish was saved."))
                return redirect("trainings:wishes")
    return render(request, "trainings/wishes.html", {
        "form": form if libraries.exists() else None, "wishes": selectors.wishes_ranked(),
        "support_form": SupportForm(libraries=libraries) if libraries.exists() else None,
        "can_manage": permissions.can_manage(request.user)})


@require_POST
@can_wish
def wish_support(request, pk):
    wish = get_object_or_404(TrainingWish, pk=pk)
    libraries = permissions.self_libraries(request.user)
    if not libraries.filter(pk=request.POST.get("library") or 0).exists():
        raise Http404
    form = SupportForm(request.POST, libraries=libraries)
    if form.is_valid():
        try:
            services.wish_support(wish=wish, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your library's interest was counted."))
    else:
        messages.error(request, _("Give the number of staff who would come (1–500)."))
    return redirect("trainings:wishes")
