"""Reads of the newsletter app."""

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from consortium.models import CooperationArea

from .models import ITEM_IMAGE_FOLDER, Block, Delivery, Issue, Item, Subscriber

__all__ = ("issues_for_staff", "unassigned_items", "archive_years", "archive_issues", "archive_issue",
           "deliveries_of", "subscribers_list", "draft_waiting", "newsletter_image_path", "cooperation_areas",
           "preview_area")


def issues_for_staff() -> QuerySet[Issue]:
    return Issue.objects.annotate(block_count=Count("blocks", distinct=True)).order_by("-month")


def unassigned_items() -> QuerySet[Item]:
    return Item.objects.filter(issue__isnull=True).select_related("created_by", "area").order_by("-created_at")


def _published() -> QuerySet[Issue]:
    return Issue.objects.filter(status=Issue.Status.SENT)


def archive_years() -> list[int]:
    return sorted({month.year for month in _published().values_list("month", flat=True)}, reverse=True)


def archive_issues(*, year: int | None = None) -> QuerySet[Issue]:
    qs = _published().order_by("-month")
    return qs.filter(month__year=year) if year else qs


def archive_issue(*, year: int, month: int) -> Issue:
    return _published().get(month__year=year, month__month=month)


def deliveries_of(issue: Issue, *, status: str = "", search: str = "") -> QuerySet[Delivery]:
    qs = issue.deliveries.order_by("email")
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(email__icontains=search)
    return qs


def subscribers_list(*, status: str = "", search: str = "") -> QuerySet[Subscriber]:
    qs = Subscriber.objects.order_by("email")
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(email__icontains=search) | Q(name__icontains=search))
    return qs


def draft_waiting() -> Issue | None:
    return Issue.objects.filter(status=Issue.Status.DRAFT).order_by("-month").first()


def newsletter_image_path(name: str) -> str | None:
    """The stored path of a newsletter image by its file name, or None: only files an item
    carries now, or that an issue's part shows (an issue keeps the picture it was assembled
    with after the item's image is replaced or the item deleted). No folders: nothing
    outside the items' own folder can be asked for."""
    if not name or "/" in name or "\\" in name:
        return None
    path = f"{ITEM_IMAGE_FOLDER}{name}"
    if Item.objects.filter(image=path).exists() or Block.objects.filter(
            image_url=reverse("newsletters:item_image", args=[name])).exists():
        return path
    return None


def cooperation_areas() -> QuerySet[CooperationArea]:
    return CooperationArea.objects.order_by("name")


def preview_area(*, issue: Issue, slug: str | None) -> CooperationArea | None:
    """The area of the reader whose message the e-mail preview shows: the one asked for by
    slug ("all", or an unknown slug: a reader in no area). Unasked, the first area that has a
    part in the issue, so that the fullest message shows first."""
    if slug is None:
        first = issue.blocks.filter(area__isnull=False).select_related("area").order_by("position", "pk").first()
        return first.area if first else None
    return CooperationArea.objects.filter(slug=slug).first()
