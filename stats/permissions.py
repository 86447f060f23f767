"""Who may see and change the statistics.

- The Louna coordinator and consortium staff import, compute, export and mark a year
  reported; they see every Louna municipality.
- A director of a Louna library sees the figures of their own municipality only; another
  municipality's page is simply not found (404).
- Every signed-in member sees the national table: the figures municipalities have
  delivered to the ministry (public statistics once delivered).
- Nobody else sees the statistics at all.
"""

from consortium.models import Library
from consortium.permissions import LOUNA_AREA, roles_of

__all__ = ("can_manage", "can_view", "can_view_national", "visible_municipality_ids", "louna_municipality_ids")


def can_manage(user) -> bool:
    roles = roles_of(user)
    return roles.staff or roles.coordinator


def louna_municipality_ids() -> frozenset:
    """The municipalities of the active Louna libraries."""
    return frozenset(Library.objects.in_area(LOUNA_AREA).active().values_list("municipality_id", flat=True))


def _director_municipality_ids(user) -> frozenset:
    cached = getattr(user, "_stats_director_municipalities", None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    ids = frozenset()
    if roles.director_of:
        ids = frozenset(Library.objects.in_area(LOUNA_AREA).filter(pk__in=roles.director_of)
                        .values_list("municipality_id", flat=True))
    user._stats_director_municipalities = ids
    return ids


def can_view(user) -> bool:
    return can_manage(user) or bool(_director_municipality_ids(user))


def visible_municipality_ids(user) -> frozenset:
    """The Louna municipalities whose figures the person may see (empty: none)."""
    if can_manage(user):
        return louna_municipality_ids()
    return _director_municipality_ids(user)


def can_view_national(user) -> bool:
    return bool(user.is_authenticated and user.is_active)
