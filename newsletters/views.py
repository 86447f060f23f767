"""Thin views: parse, check permission, call a selector or a service, render."""

import json

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from consortium.actions import run_service
from consortium.forms import add_service_errors
from consortium.pagecache import kept_page
from consortium.uploads import detect_file_type
from consortium.views import permission_required

from . import selectors, services
from .forms import ApproveForm, BlockForm, ImportForm, IssueForm, ItemForm, LanguageForm, SubscribeForm
from .models import MAIL_IMAGE_TYPES, Block, Delivery, Issue, Item, Subscriber
from .permissions import can_manage_newsletters
from .rendering import archive_path, issue_blocks, issue_context, render_issue
from .sending import issue_progress
from .tokens import InvalidToken, subscriber_from_confirm_token, subscriber_from_subscription_token

PAGE_SIZE = 50
staff_only = permission_required(can_manage_newsletters)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---------------------------------------------------------------- staff: overview and items


@staff_only
@kept_page
def index(request):
    return render(request, "newsletters/index.html", {
        "issues": selectors.issues_for_staff()[:24],
        "items": selectors.unassigned_items(),
        "subscriber_count": Subscriber.objects.active().count(),
    })


@staff_only
def item_edit(request, pk=None):
    item = get_object_or_404(Item, pk=pk) if pk else None
    form = ItemForm(request.POST or None, request.FILES or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            with_instance = item if item else None
            saved = services.item_save(item=with_instance, by=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item “%(title)s” was saved.") % {"title": saved.title})
            return redirect("newsletters:index")
    return render(request, "newsletters/item_form.html", {"form": form, "item": item})


@staff_only
@require_POST
def item_delete(request, pk):
    item = get_object_or_404(Item, pk=pk)
    run_service(request, lambda: services.item_delete(item=item), success_message=_("The item was deleted."))
    return redirect("newsletters:index")


@staff_only
@require_POST
def issue_assemble(request):
    issue, created = services.issue_assemble()
    if created:
        messages.success(request, _("This month's draft was assembled."))
    else:
        messages.info(request, _("This month's issue already exists."))
    return redirect("newsletters:issue_detail", pk=issue.pk)


# ---------------------------------------------------------------- staff: one issue


def _issue(pk) -> Issue:
    return get_object_or_404(Issue.objects.select_related("job_run", "approved_by"), pk=pk)


@staff_only
def issue_detail(request, pk):
    issue = _issue(pk)
    progress = issue_progress(issue) if issue.status in (Issue.Status.SENDING, Issue.Status.SENT) else None
    return render(request, "newsletters/issue_detail.html", {
        "issue": issue,
        "blocks": issue_blocks(issue),
        "items": selectors.unassigned_items() if issue.is_editable else [],
        "approve_form": ApproveForm(initial={"send_at": timezone.localtime().replace(second=0, microsecond=0)}),
        "progress": progress,
        "run": issue.job_run,
    })


@staff_only
def issue_edit(request, pk):
    issue = _issue(pk)
    form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_update(issue=issue, data={n: form.cleaned_data[n] for n in form.Meta.fields})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The issue was saved."))
            return redirect("newsletters:issue_detail", pk=issue.pk)
    return render(request, "newsletters/issue_form.html", {"form": form, "issue": issue})


@staff_only
def block_edit(request, pk):
    block = get_object_or_404(Block.objects.select_related("issue"), pk=pk)
    form = BlockForm(request.POST or None, instance=block)
    if request.method == "POST" and form.is_valid():
        try:
            services.block_update(block=block, data={n: form.cleaned_data[n] for n in form.Meta.fields})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": block.title})
            return redirect("newsletters:issue_detail", pk=block.issue_id)
    return render(request, "newsletters/block_form.html", {"form": form, "block": block, "issue": block.issue})


def _post_action(request, issue_id, action, success):
    run_service(request, action, success_message=success)
    return redirect("newsletters:issue_detail", pk=issue_id)


@staff_only
@require_POST
def block_move(request, pk):
    block = get_object_or_404(Block.objects.select_related("issue"), pk=pk)
    return _post_action(request, block.issue_id,
                        lambda: services.block_move(block=block, direction=request.POST.get("direction", "")), None)


@staff_only
@require_POST
def block_remove(request, pk):
    block = get_object_or_404(Block.objects.select_related("issue"), pk=pk)
    return _post_action(request, block.issue_id, lambda: services.block_remove(block=block),
                        _("“%(title)s” was removed from the issue.") % {"title": block.title})


@staff_only
@require_POST
def item_add(request, pk, item_pk):
    issue = _issue(pk)
    item = get_object_or_404(Item, pk=item_pk)
    return _post_action(request, issue.pk, lambda: services.item_add_to_issue(item=item, issue=issue),
                        _("“%(title)s” was added to the issue.") % {"title": item.title})


@staff_only
@require_POST
def issue_approve(request, pk):
    issue = _issue(pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the send time as a date and time."))
        return redirect("newsletters:issue_detail", pk=issue.pk)
    return _post_action(request, issue.pk, lambda: services.issue_approve(
        issue=issue, by=request.user, send_at=form.cleaned_data["send_at"]),
        _("The issue was approved and goes out at the send time."))


@staff_only
@require_POST
def issue_unapprove(request, pk):
    issue = _issue(pk)
    return _post_action(request, issue.pk, lambda: services.issue_unapprove(issue=issue),
                        _("The issue is a draft again."))


@staff_only
@require_POST
def issue_send_test(request, pk):
    issue = _issue(pk)
    return _post_action(request, issue.pk, lambda: services.issue_send_test(issue=issue, to=request.user),
                        _("A test message was sent to %(email)s.") % {"email": request.user.email})


def _preview_options(request, issue):
    language = request.GET.get("language", "fi")
    if language not in ("fi", "sv", "en"):
        language = "fi"
    area = selectors.preview_area(issue=issue, slug=request.GET.get("audience"))
    return language, area


def _areas_of_reader(area) -> frozenset:
    return frozenset({area.pk}) if area else frozenset()


@staff_only
def issue_preview_email(request, pk):
    issue = _issue(pk)
    language, area = _preview_options(request, issue)
    rendered = render_issue(issue, language=language, areas=_areas_of_reader(area))
    return render(request, "newsletters/preview_email.html", {
        "issue": issue, "rendered": rendered, "language": language, "area": area,
        "areas": selectors.cooperation_areas(), "text": rendered.for_recipient("#")[0],
    })


@xframe_options_sameorigin  # shown in the preview page's iframe
# The message as a mail client gets it: its styles are inline (mail clients read no style
# sheet), so this one page allows inline style, no script at all, and framing by our pages.
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"], "frame-ancestors": ["'self'"]})
@staff_only
def issue_preview_email_html(request, pk):
    issue = _issue(pk)
    language, area = _preview_options(request, issue)
    html = render_issue(issue, language=language, areas=_areas_of_reader(area)).for_recipient("#")[1]
    return HttpResponse(html)


@staff_only
def issue_preview_web(request, pk):
    issue = _issue(pk)
    return _render_issue_page(request, issue, preview=True)


@staff_only
def issue_progress_json(request, pk):
    issue = _issue(pk)
    return JsonResponse({**issue_progress(issue), "status": issue.status})


@staff_only
def issue_deliveries(request, pk):
    issue = _issue(pk)
    status = request.GET.get("status", "")
    if status not in Delivery.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.deliveries_of(issue, status=status, search=search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "newsletters/deliveries.html", {
        "issue": issue, "page": page, "status": status, "q": search, "statuses": Delivery.Status.choices,
        "progress": issue_progress(issue),
    })


# ---------------------------------------------------------------- staff: subscribers


@staff_only
def subscriber_list(request):
    status = request.GET.get("status", "")
    if status not in Subscriber.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.subscribers_list(status=status, search=search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "newsletters/subscriber_list.html", {
        "page": page, "status": status, "q": search, "statuses": Subscriber.Status.choices})


@staff_only
def subscriber_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.subscribers_import(content=upload.read(), basis=form.cleaned_data["basis"],
                                                 by=request.user, filename=upload.name)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(added)d subscribers added, %(refused)d rows refused.")
                             % {"added": len(report.added), "refused": len(report.refused)})
    return render(request, "newsletters/subscriber_import.html", {"form": form, "report": report})


@staff_only
def subscriber_detail(request, pk):
    subscriber = get_object_or_404(Subscriber.objects.select_related("user"), pk=pk)
    deliveries = subscriber.deliveries.select_related("issue").order_by("-issue__month")
    return render(request, "newsletters/subscriber_detail.html",
                  {"subscriber": subscriber, "deliveries": deliveries})


@staff_only
def subscriber_export(request, pk):
    subscriber = get_object_or_404(Subscriber.objects.select_related("user"), pk=pk)
    data = services.subscriber_export(subscriber=subscriber)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="newsletter-subscriber-{subscriber.pk}.json"'
    return response


@staff_only
@require_POST
def subscriber_erase(request, pk):
    subscriber = get_object_or_404(Subscriber, pk=pk)
    email = subscriber.email
    if not run_service(request, lambda: services.subscriber_erase(subscriber=subscriber),
                       success_message=_("Everything about %(email)s was erased.") % {"email": email}):
        return redirect("newsletters:subscriber_detail", pk=pk)
    return redirect("newsletters:subscriber_list")


# ---------------------------------------------------------------- portal users: own subscription


@login_required
@kept_page
def my_subscription(request):
    subscriber = Subscriber.objects.filter(user=request.user).first() or \
        Subscriber.objects.filter(email__iexact=request.user.email).first()
    if request.method == "POST":
        if request.POST.get("action") == "subscribe":
            services.subscriber_subscribe_user(user=request.user)
            messages.success(request, _("You now receive the newsletter at %(email)s.") % {"email": request.user.email})
        elif subscriber and request.POST.get("action") == "leave":
            services.subscriber_unsubscribe(subscriber=subscriber)
            messages.success(request, _("You no longer receive the newsletter."))
        return redirect("newsletters:my_subscription")
    return render(request, "newsletters/my_subscription.html", {"subscriber": subscriber})


# ---------------------------------------------------------------- public: subscribing and leaving


def subscribe(request):
    form = SubscribeForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            services.subscriber_request(
                email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                language=form.cleaned_data["language"], areas=form.cleaned_data["areas"],
                detail=_("Subscription form on %(date)s") % {"date": timezone.localdate().isoformat()})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "newsletters/subscribe_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "newsletters/subscribe.html", {"form": form})


@require_safe
def item_image(request, name):
    """A newsletter image, public like the newsletter itself: it shows in subscribers' mail
    and in the public archive. Django serves it (the proxy serves no uploads: documents in
    MEDIA_ROOT belong to libraries), and only files an item or an issue shows, with the
    type read from the file itself."""
    path = selectors.newsletter_image_path(name)
    if path is None:
        raise Http404
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = detect_file_type(handle.read(16))
    handle.seek(0)
    if kind is None or kind[1] not in MAIL_IMAGE_TYPES:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=kind[1])
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def _token_error(request, error: InvalidToken, status=400):
    text = (_("This link has expired. Subscribe again to get a new confirmation link.") if error.expired
            else _("This link is not valid. It may be mistyped, or the subscription has been erased."))
    return render(request, "newsletters/token_error.html", {"text": text}, status=status)


@csrf_exempt  # the signed token authenticates; the person has no session
def confirm(request, token):
    try:
        subscriber = subscriber_from_confirm_token(token)
    except InvalidToken as error:
        return _token_error(request, error)
    if request.method == "POST":
        try:
            services.subscriber_confirm(subscriber=subscriber)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("newsletters:subscribe")
        messages.success(request, _("Thank you: your subscription is confirmed."))
        return redirect("newsletters:subscription", token=_subscription_token(subscriber))
    return render(request, "newsletters/confirm.html", {"subscriber": subscriber})


def _subscription_token(subscriber):
    from .tokens import subscription_token

    return subscription_token(subscriber)


@csrf_exempt  # the signed token authenticates; the person has no session
def subscription(request, token):
    """The page every newsletter links to: leave with one click, or change language."""
    try:
        subscriber = subscriber_from_subscription_token(token)
    except InvalidToken as error:
        return _token_error(request, error)
    language_form = LanguageForm(request.POST if request.POST.get("action") == "language" else None,
                                 initial={"language": subscriber.language})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leave":
            services.subscriber_unsubscribe(subscriber=subscriber)
            messages.success(request, _("You have left the newsletter. No more newsletters will be sent to %(email)s.")
                             % {"email": subscriber.email})
            return redirect(request.path)
        if action == "language" and subscriber.user_id:
            # A portal user's newsletter follows the language of their portal details (see
            # sending.issue_start_sending); a change here would be thanked for and then ignored.
            messages.error(request, _("The newsletter comes in the language of your portal details: change it there."))
            return redirect(request.path)
        if action == "language" and language_form.is_valid():
            services.subscriber_update(subscriber=subscriber, language=language_form.cleaned_data["language"])
            messages.success(request, _("The language was changed."))
            return redirect(request.path)
    return render(request, "newsletters/subscription.html",
                  {"subscriber": subscriber, "language_form": language_form})


@csrf_exempt  # RFC 8058: mail clients POST here without any cookie or form token
def one_click(request, token):
    """List-Unsubscribe-Post target: a POST leaves at once; a GET (a person following the
    header by hand) goes to the page with the button."""
    try:
        subscriber = subscriber_from_subscription_token(token)
    except InvalidToken as error:
        return _token_error(request, error)
    if request.method != "POST":
        return redirect("newsletters:subscription", token=token)
    services.subscriber_unsubscribe(subscriber=subscriber)
    return HttpResponse(_("You have left the newsletter."), content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- public: the archive


@kept_page
def archive(request, year=None):
    years = selectors.archive_years()
    if year is None and years:
        year = years[0]
    if year is not None and year not in years:
        raise Http404
    issues = list(selectors.archive_issues(year=year)) if year else []
    return render(request, "newsletters/archive.html", {"years": years, "year": year, "issues": issues})


def archive_issue(request, year, month):
    try:
        issue = selectors.archive_issue(year=year, month=month)
    except Issue.DoesNotExist as exc:
        raise Http404 from exc
    return _render_issue_page(request, issue)


def _render_issue_page(request, issue, preview=False):
    context = issue_context(issue, issue_blocks(issue), language=request.LANGUAGE_CODE, areas=None)
    context.update({"preview": preview, "archive_path": archive_path(issue)})
    return render(request, "newsletters/issue_page.html", context)
