"""Reads of the action programme: each returns what a page shows, restricted to the person,
in a fixed number of queries however many items, comments and directors there are."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from consortium.models import Library, Role, RoleAssignment
from consortium.permissions import LOUNA_AREA

from . import permissions as perms
from .diff import diff_html
from .models import (
    ITEM_TEXT_FIELDS,
    ChangeProposal,
    ImplementationReport,
    ItemComment,
    ItemFollower,
    ItemProgress,
    ItemVersion,
    LibraryPosition,
    Programme,
    ProgrammeDelivery,
    ProgrammeItem,
    ProgrammeVersion,
    VersionRead,
)

__all__ = (
    "field_label",
    "programme_list",
    "programme_get",
    "review_page",
    "item_page",
    "answers",
    "overview",
    "deliveries_for",
    "delivery_get",
    "report_list",
    "report_get",
    "library_figures",
)


def programme_list(*, user) -> QuerySet[Programme]:
    if not perms.can_view_programme(user):
        return Programme.objects.none()
    return Programme.objects.select_related("agreement").annotate(
        item_count=Count("items", filter=Q(items__is_removed=False), distinct=True))


def programme_get(*, user, year: int) -> Programme:
    if not perms.can_view_programme(user):
        raise Programme.DoesNotExist
    return Programme.objects.select_related("agreement").get(year=year)


def my_answers(*, user) -> dict:
    """{programme id: the position of (one of) the person's libraries}."""
    ids = perms.position_libraries(user)
    if not ids:
        return {}
    return {p.programme_id: p for p in LibraryPosition.objects.filter(library_id__in=ids).order_by("stated_at")}


# ---------------------------------------------------------------- the reading view


@dataclass
class ItemView:
    row: ItemVersion
    comment_count: int = 0
    open_proposals: int = 0
    is_new: bool = False
    diffs: list = field(default_factory=list)  # [(label, html)] of the parts changed since

    @property
    def changed(self) -> bool:
        return self.is_new or bool(self.diffs)


@dataclass
class AreaGroup:
    area: object  # ServiceArea or None (standalone items)
    items: list


@dataclass
class ReviewPage:
    programme: Programme
    version: ProgrammeVersion | None
    versions: list
    since: ProgrammeVersion | None
    groups: list
    removed_since: list
    introduction_diff: str | None
    my_positions: list  # [(library, LibraryPosition | None)]
    answers: list | None  # for the coordinator
    item_count: int
    changed: list = field(default_factory=list)  # the ItemViews changed since `since`


def field_label(name: str) -> str:
    """An item's text field as the reader names it (title, aim, …)."""
    labels = {
        "title": _("title"), "aim": _("aim"), "measures": _("measures"), "responsible": _("responsible"),
        "schedule": _("schedule"), "indicator": _("indicator"),
    }
    return labels.get(name, name)


def _labels():
    return {name: field_label(name) for name in ITEM_TEXT_FIELDS}


def _field_diffs(old: ItemVersion, new: ItemVersion, labels: dict) -> list:
    return [(labels[name], diff_html(getattr(old, name), getattr(new, name)))
            for name in ITEM_TEXT_FIELDS if getattr(old, name) != getattr(new, name)]


def _group(rows: list) -> list:
    groups: list[AreaGroup] = []
    by_area: dict = {}
    for view in sorted(rows, key=lambda v: ((v.row.area.number if v.row.area else 10_000), v.row.position,
                                            v.row.item_id)):
        key = view.row.area_id
        if key not in by_area:
            by_area[key] = AreaGroup(area=view.row.area, items=[])
            groups.append(by_area[key])
        by_area[key].items.append(view)
    return groups


def review_page(*, user, programme: Programme, since: int | None = None, version: int | None = None) -> ReviewPage:
    """The latest version (or `version`), with what changed since `since` (by default the
    version the person last read)."""
    versions = list(programme.versions.select_related("published_by").order_by("number"))
    current = versions[-1] if versions else None
    if version is not None:
        current = next((v for v in versions if v.number == version), None)
        if current is None:
            raise ProgrammeVersion.DoesNotExist
    if current is None:
        return ReviewPage(programme, None, [], None, [], [], None, _my_positions(user, programme), None, 0)
    if since is None and version is None:
        read = VersionRead.objects.filter(programme=programme, user=user).values_list("number", flat=True).first()
        since = read if read and read < current.number else None
    since_version = next((v for v in versions if v.number == since), None) if since and since < current.number \
        else None
    rows = list(current.items.select_related("area"))
    comment_counts = dict(ItemComment.objects.filter(item__programme=programme).values_list("item_id")
                          .annotate(n=Count("pk")).values_list("item_id", "n"))
    open_counts = dict(ChangeProposal.objects.filter(item__programme=programme, state=ChangeProposal.State.OPEN)
                       .values_list("item_id").annotate(n=Count("pk")).values_list("item_id", "n"))
    views = [ItemView(row=row, comment_count=comment_counts.get(row.item_id, 0),
                      open_proposals=open_counts.get(row.item_id, 0)) for row in rows]
    removed, intro_diff = [], None
    if since_version is not None:
        labels = _labels()
        old = {row.item_id: row for row in since_version.items.all()}
        for view in views:
            before = old.pop(view.row.item_id, None)
            if before is None:
                view.is_new = True
            else:
                view.diffs = _field_diffs(before, view.row, labels)
        removed = sorted(old.values(), key=lambda r: r.position)
        if since_version.introduction != current.introduction:
            intro_diff = diff_html(since_version.introduction, current.introduction)
    groups = _group(views)
    return ReviewPage(
        changed=[view for group in groups for view in group.items if view.changed],
        programme=programme, version=current, versions=versions, since=since_version, groups=groups,
        removed_since=removed, introduction_diff=intro_diff, my_positions=_my_positions(user, programme),
        answers=answers(programme=programme) if perms.can_coordinate(user) else None, item_count=len(rows),
    )


def _my_positions(user, programme: Programme) -> list:
    ids = perms.position_libraries(user)
    if not ids:
        return []
    positions = {p.library_id: p for p in LibraryPosition.objects.filter(programme=programme, library_id__in=ids)
                 .select_related("version")}
    return [(library, positions.get(library.pk)) for library in Library.objects.filter(pk__in=ids).order_by("name")]


@dataclass
class Answer:
    library: Library
    directors: list
    position: LibraryPosition | None


def answers(*, programme: Programme) -> list[Answer]:
    """Every Louna library, its directors and its answer (3 queries)."""
    libraries = list(perms.louna_libraries())
    directors = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(role=Role.DIRECTOR, library__in=[lib.pk for lib in libraries]) \
            .select_related("user").order_by("user__full_name"):
        directors[assignment.library_id].append(assignment.user)
    positions = {p.library_id: p for p in programme.positions.select_related("stated_by", "version")}
    return [Answer(library, directors[library.pk], positions.get(library.pk)) for library in libraries]


# ---------------------------------------------------------------- one item


@dataclass
class ItemPage:
    item: ProgrammeItem
    row: ItemVersion | None  # the text in the latest version
    history: list  # [(ItemVersion, diffs against the one before)]
    threads: list  # top-level comments, each with .thread (replies in order)
    proposals: list  # each with .diff_html
    progress: list
    is_following: bool
    follower_count: int


def item_page(*, user, programme: Programme, pk: int) -> ItemPage:
    item = ProgrammeItem.objects.select_related("area", "from_task").prefetch_related("libraries").get(
        programme=programme, pk=pk)
    rows = list(ItemVersion.objects.filter(item=item).select_related("version").order_by("version__number"))
    if not rows and not perms.can_coordinate(user):
        raise ProgrammeItem.DoesNotExist  # the working copy is the coordinator's until it is published
    labels = _labels()
    history, previous = [], None
    for row in rows:
        history.append((row, _field_diffs(previous, row, labels) if previous else []))
        previous = row
    comments = list(ItemComment.objects.filter(item=item).select_related("author", "library",
                                                                         "item_version__version"))
    by_parent = defaultdict(list)
    for comment in comments:
        by_parent[comment.parent_id].append(comment)

    def thread(comment, depth=0):
        comment.depth = depth
        out = [comment]
        for reply in by_parent.get(comment.pk, []):
            out.extend(thread(reply, min(depth + 1, 4)))
        return out

    current = rows[-1] if rows else None
    for comment in comments:  # a comment on an older text shows the text it answered
        comment.answered_older_text = current is not None and comment.item_version_id != current.pk and any(
            getattr(comment.item_version, name) != getattr(current, name) for name in ITEM_TEXT_FIELDS)
    threads = []
    for top in by_parent.get(None, []):
        top.thread = thread(top)[1:]
        top.depth = 0
        threads.append(top)
    proposals = list(ChangeProposal.objects.filter(item=item).select_related("author", "library", "decided_by",
                                                                             "item_version__version"))
    for proposal in proposals:
        proposal.field_label = labels.get(proposal.field, proposal.field)
        proposal.base_text = getattr(proposal.item_version, proposal.field)
        proposal.diff_html = diff_html(proposal.base_text, proposal.proposed_text)
    progress = list(ItemProgress.objects.filter(item=item).select_related("author"))
    followers = list(ItemFollower.objects.filter(item=item).values_list("user_id", flat=True))
    return ItemPage(item=item, row=rows[-1] if rows else None, history=history, threads=threads,
                    proposals=proposals, progress=progress, is_following=user.pk in followers,
                    follower_count=len(followers))


# ---------------------------------------------------------------- following through the year


@dataclass
class OverviewRow:
    label: str
    counts: dict
    total: int

    def cells(self):
        return [self.counts.get(state, 0) for state, _label in ProgrammeItem.State.choices]

    def segments(self):
        """(state, label, count, per cent of the row) for the bar."""
        out = []
        for state, label in ProgrammeItem.State.choices:
            n = self.counts.get(state, 0)
            if n:
                out.append((state, label, n, round(100 * n / self.total, 1) if self.total else 0))
        return out


@dataclass
class Overview:
    programme: Programme
    states: list
    totals: OverviewRow
    by_area: list
    by_municipality: list
    mean_percent: int
    items: list


def overview(*, user, programme: Programme) -> Overview:
    items = list(programme.items.filter(is_removed=False).select_related("area")
                 .prefetch_related(Prefetch("libraries", queryset=Library.objects.only("pk"))))
    if not perms.can_coordinate(user):
        # Others see the published text only: an item not yet in a version, or an edit of
        # the working copy not yet published, stays with the coordinator.
        latest = programme.versions.order_by("-number").first()
        published = {} if latest is None else dict(
            ItemVersion.objects.filter(version=latest).values_list("item_id", "title"))
        items = [item for item in items if item.pk in published]
        for item in items:
            item.title = published[item.pk]
    states = list(ProgrammeItem.State.choices)
    total = Counter(item.state for item in items)
    area_counts: dict = {}
    for item in items:
        key = (item.area.number, str(item.area)) if item.area else (10_000, None)
        area_counts.setdefault(key, Counter())[item.state] += 1

    by_area = [OverviewRow(label or _("Items standing alone"), dict(counts), sum(counts.values()))
               for (number, label), counts in sorted(area_counts.items(), key=lambda kv: kv[0][0])]
    libraries = list(Library.objects.in_area(LOUNA_AREA).filter(is_active=True).select_related("municipality")
                     .order_by("municipality__name_fi"))
    by_municipality = []
    for library in libraries:
        counts = Counter(item.state for item in items
                         if not item.libraries.all() or any(lib.pk == library.pk for lib in item.libraries.all()))
        by_municipality.append(OverviewRow(library.municipality.name, dict(counts), sum(counts.values())))
    mean = round(sum(item.percent for item in items) / len(items)) if items else 0
    return Overview(programme, states, OverviewRow(_("All items"), dict(total), len(items)), by_area,
                    by_municipality, mean, items)


# ---------------------------------------------------------------- deliveries and reports


def deliveries_for(*, user, programme: Programme) -> QuerySet[ProgrammeDelivery]:
    qs = programme.deliveries.select_related("library", "version")
    if perms.can_coordinate(user):
        return qs
    return qs.filter(library_id__in=perms.position_libraries(user))


def delivery_get(*, user, pk: int) -> ProgrammeDelivery:
    qs = ProgrammeDelivery.objects.select_related("programme", "library", "version")
    if not perms.can_coordinate(user):
        qs = qs.filter(library_id__in=perms.position_libraries(user))
    return qs.get(pk=pk)


def report_list(*, user, programme: Programme) -> QuerySet[ImplementationReport]:
    """The coordinator sees every draft; a director sees their own library's sent report."""
    qs = programme.reports.select_related("library", "sent_by")
    if perms.can_coordinate(user):
        return qs
    return qs.filter(library_id__in=perms.position_libraries(user), state=ImplementationReport.State.SENT)


def report_get(*, user, pk: int) -> ImplementationReport:
    qs = ImplementationReport.objects.select_related("programme", "library", "sent_by")
    if not perms.can_coordinate(user):
        qs = qs.filter(library_id__in=perms.position_libraries(user), state=ImplementationReport.State.SENT)
    return qs.get(pk=pk)


def library_figures(*, library: Library, year: int) -> list:
    """The year's figures of the library's municipality from the statistics app, as
    [(label, value)] texts in the reports' language; empty until stats has computed the year."""
    from stats.models import TOTAL_FIELDS, MunicipalityYearTotal  # louna may use stats; never the other way
    from stats.selectors import municipality_year_figures

    figures = municipality_year_figures(year=year, municipality_ids=[library.municipality_id])
    totals = figures.get(library.municipality_id)
    if not totals:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        return [(capfirst(str(MunicipalityYearTotal._meta.get_field(name).verbose_name)),
                 number_format(totals[name], force_grouping=True))
                for name in TOTAL_FIELDS if totals.get(name) is not None]
