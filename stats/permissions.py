"""Who may see and change the statistics.

The statistics cover every member of the consortium: the municipalities of the active
libraries that are members (`member_since` set) or in the Louna area (Louna's libraries
report through Forssa whether or not they have joined the consortium themselves).

- Consortium staff import, compute, export and mark a year reported for every member
  municipality: the whole country's figures.
- The Louna coordinator does the same for the Louna municipalities: the pages, imports and
  files show them only, a file naming another municipality's service point is refused, and
  the annual job they start computes Louna's reports. Marking a year reported locks every
  municipality's figures, so the coordinator may do it only while the year holds Louna's
  alone (services.year_mark_reported).
- A director of a member library sees the figures and annual report of their own
  municipality only; another municipality's page is simply not found (404).
- Every signed-in member sees the national table: the figures municipalities have
  delivered to the ministry (public statistics once delivered).
- Nobody else (a library's contact person included) sees the statistics at all.
"""

from django.db.models import Q

from consortium.models import Library
from consortium.permissions import LOUNA_AREA, roles_of

__all__ = ("can_manage", "can_view", "can_view_national", "visible_municipality_ids", "managed_municipality_ids",
           "import_municipality_ids", "member_municipality_ids", "louna_municipality_ids", "manages_everything",
           "statistics_libraries")


def can_manage(user) -> bool:
    roles = roles_of(user)
    return roles.staff or roles.coordinator


def manages_everything(user) -> bool:
    """Consortium staff: every member municipality, not the Louna area's alone."""
    return roles_of(user).staff


def statistics_libraries():
    """The libraries whose municipalities report through the portal: active, and members of
    the consortium or in the Louna area. A subquery of ids, so the area join repeats none."""
    return Library.objects.filter(pk__in=Library.objects.active().filter(
        Q(member_since__isnull=False) | Q(cooperation_areas__slug=LOUNA_AREA)).values("pk"))


def member_municipality_ids() -> frozenset:
    """The municipalities of every active member library (and Louna's): staff's scope."""
    return frozenset(statistics_libraries().values_list("municipality_id", flat=True))


def louna_municipality_ids() -> frozenset:
    """The municipalities of the active Louna libraries: the coordinator's scope, and the
    municipalities Louna's shared services are split among."""
    return frozenset(Library.objects.in_area(LOUNA_AREA).active().values_list("municipality_id", flat=True))


def managed_municipality_ids(user) -> frozenset:
    """The municipalities whose statistics the person manages (empty: none). Read afresh each
    time (one query): a library that joins counts from the next call, in a long job too."""
    roles = roles_of(user)
    if roles.staff:
        return member_municipality_ids()
    return louna_municipality_ids() if roles.coordinator else frozenset()


def import_municipality_ids(by) -> frozenset:
    """Whose service points a file may name: the importer's municipalities; a file imported
    with nobody named (the command line without --by) may name any member's."""
    if by is None:
        return member_municipality_ids()
    return managed_municipality_ids(by)


def _director_municipality_ids(user) -> frozenset:
    cached = getattr(user, "_stats_director_municipalities", None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    ids = frozenset()
    if roles.director_of:
        ids = frozenset(statistics_libraries().filter(pk__in=roles.director_of)
                        .values_list("municipality_id", flat=True))
    user._stats_director_municipalities = ids
    return ids


def can_view(user) -> bool:
    return can_manage(user) or bool(_director_municipality_ids(user))


def visible_municipality_ids(user) -> frozenset:
    """The municipalities whose figures the person may see (empty: none): those they manage
    and their own library's as its director."""
    if can_manage(user):
        director = _director_municipality_ids(user) if roles_of(user).director_of else frozenset()
        return managed_municipality_ids(user) | director
    return _director_municipality_ids(user)


def can_view_national(user) -> bool:
    return bool(user.is_authenticated and user.is_active)
