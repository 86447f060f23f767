"""Who may write, check and see Louna's events and news. Views, forms and services ask here.

- The Louna coordinator (and consortium staff) write shared items, edit every item and
  check (approve) the libraries' items.
- A director or a library contact of a Louna library writes and edits their own library's
  items; another library's items are simply not found (404).
- Everyone, signed in or not, reads what is published: the public list and the feeds.
"""

from django.db.models import QuerySet

from consortium.models import Library
from consortium.permissions import LOUNA_AREA, roles_of

__all__ = ("can_manage", "can_write", "writer_library_ids", "restrict_items", "can_write_for", "can_see_counts")


def can_manage(user) -> bool:
    roles = roles_of(user)
    return roles.staff or roles.coordinator


def writer_library_ids(user) -> frozenset:
    """The Louna libraries in which the person is a director or a library contact; read once
    per request and kept on the user object like the roles."""
    cached = getattr(user, "_louna_events_libraries", None)
    if cached is not None:
        return cached
    own = roles_of(user).library_ids
    ids = frozenset(Library.objects.in_area(LOUNA_AREA).filter(pk__in=own).values_list("pk", flat=True)) if own \
        else frozenset()
    user._louna_events_libraries = ids
    return ids


def can_write(user) -> bool:
    return can_manage(user) or bool(writer_library_ids(user))


def can_write_for(user, library_id) -> bool:
    """May the person write an item as this library (None: a shared item of the coordinator)?"""
    if can_manage(user):
        return True
    return library_id is not None and library_id in writer_library_ids(user)


def restrict_items(qs: QuerySet, user) -> QuerySet:
    """The items a person may edit: all for the coordinator, their own libraries' for the
    libraries, none for anyone else."""
    if can_manage(user):
        return qs
    ids = writer_library_ids(user)
    if not ids:
        return qs.none()
    return qs.filter(library_id__in=ids)


def can_see_counts(user) -> bool:
    """The yearly counts for the statistics are the coordinator's work."""
    return can_manage(user)
