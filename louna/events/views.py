"""Thin views of Louna's events and news: parse, check permission, call a selector or a
service, render. Items to edit come through the restricted selectors (404 otherwise)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import add_service_errors
from consortium.pagecache import kept_page
from consortium.views import get_or_404, permission_required

from . import exports, feeds, permissions, selectors, services
from .filters import ComingEventFilter
from .forms import ItemForm
from .models import Item

PAGE_SIZE = 30
FEED_LANGUAGES = ("fi", "sv")
can_write = permission_required(permissions.can_write)
can_manage = permission_required(permissions.can_manage)
can_see_counts = permission_required(permissions.can_see_counts)


# ---------------------------------------------------------------- public pages and feeds


@kept_page
def coming(request):
    """The public list of coming events, with filters."""
    now = timezone.now()
    event_filter = ComingEventFilter(request.GET or None, queryset=selectors.published(now=now))
    start, end = event_filter.date_range()
    occurrences = selectors.coming_occurrences(event_filter.qs, start=start, end=end)
    page = Paginator(occurrences, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_items(list(page), event_filter.qs)
    return render(request, "louna_events/coming.html", {
        "filter": event_filter, "page": page, "start": start, "end": end,
        "municipalities": selectors.louna_municipalities(),
    })


def detail(request, pk):
    item = get_or_404(selectors.published_item_get, pk=pk, now=timezone.now())
    occurrences = selectors.coming_dates(item, today=timezone.localdate())
    return render(request, "louna_events/detail.html", {"item": item, "occurrences": occurrences[:20]})


def _feed_language(request) -> str:
    language = request.GET.get("lang", "fi")
    if language not in FEED_LANGUAGES:
        raise Http404
    return language


def _municipality(code):
    return get_object_or_404(selectors.louna_municipalities(), code=code) if code else None


def rss(request, code=None):
    return feeds.feed_response(request, kind="rss", municipality=_municipality(code),
                               language=_feed_language(request))


def ics(request, code=None):
    return feeds.feed_response(request, kind="ics", municipality=_municipality(code),
                               language=_feed_language(request))


# ---------------------------------------------------------------- writing and checking


@can_write
def manage(request):
    page = Paginator(selectors.item_list_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "louna_events/manage.html", {
        "page": page, "can_manage": permissions.can_manage(request.user),
        "municipalities": selectors.louna_municipalities(),
    })


@can_write
def edit(request, pk=None):
    item = get_or_404(selectors.item_get_for_edit, user=request.user, pk=pk) if pk else Item()
    form = ItemForm(request.POST or None, request.FILES or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        draft = form.save(commit=False)
        draft.exception_dates = form.cleaned_data["exceptions"]
        if not pk:
            draft.library = form.writer_library()
        try:
            saved = services.item_save(item=draft, libraries=form.chosen_libraries() if "libraries" in form.fields
                                       else [], all_of_louna=form.chosen_all_of_louna(), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if saved.state == Item.State.PENDING:
                messages.success(request, _("Saved. The coordinator checks the item before it is published."))
            else:
                messages.success(request, _("Saved and published."))
            return redirect("louna_events:manage")
    title = _("Edit “%(title)s”") % {"title": item.title} if pk else _("New event or news item")
    return render(request, "louna_events/form.html", {"form": form, "title": title, "item": item if pk else None})


@require_POST
@can_manage
def approve(request, pk):
    item = get_or_404(selectors.item_get_for_edit, user=request.user, pk=pk)
    services.item_approve(item=item, by=request.user)
    messages.success(request, _("“%(title)s” was approved and is published.") % {"title": item.title})
    return redirect("louna_events:manage")


@require_POST
@can_manage
def return_item(request, pk):
    item = get_or_404(selectors.item_get_for_edit, user=request.user, pk=pk)
    try:
        services.item_return(item=item, by=request.user, note=request.POST.get("check_note", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("louna_events:edit", pk=item.pk)
    messages.success(request, _("“%(title)s” was returned to the library.") % {"title": item.title})
    return redirect("louna_events:manage")


@require_POST
@can_write
def delete(request, pk):
    item = get_or_404(selectors.item_get_for_edit, user=request.user, pk=pk)
    try:
        services.item_delete(item=item, by=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("“%(title)s” was removed.") % {"title": item.title})
    return redirect("louna_events:manage")


# ---------------------------------------------------------------- counting


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@can_see_counts
def counts(request):
    year = _year(request)
    return render(request, "louna_events/counts.html", {
        "counts": selectors.event_counts(year=year), "year": year,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
    })


@can_see_counts
def counts_xlsx(request, year):
    if not 2000 <= year <= 2100:
        raise Http404
    response = HttpResponse(exports.counts_workbook(selectors.event_counts(year=year)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="louna-tapahtumat-{year}.xlsx"'
    return response
