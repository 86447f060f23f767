"""Who may see and change what in Louna. Views, navigation entries, front-page cards and
selectors ask here (the action programme's own rules are in louna/programme/permissions.py,
built on these); lists start from the querysets built here, so an object outside a
person's scope is simply not found (404, never 403).

The rule, for every app: services do not check the actor's permission. The view (or the
task, or the seeder) asks the app's permission functions before it calls a service, and
fetches the objects it hands over through restricted querysets. A service checks the
rules of the thing itself (states, dates, deadlines, what belongs to what) and records
who acted (`by=`), never whether that person was allowed to.

- The Louna coordinator and consortium staff change everything (agreements, tasks,
  meetings and minutes, feedback, web services, projects).
- A director of a Louna library reads the agreement, the task board (with the notes meant
  for directors and their own library's follow-up), meetings and projects; proposes agenda
  items; sees customer feedback only about their own municipality and the shared services.
- Nobody else sees Louna at all.
"""

from django.db.models import Q, QuerySet

from consortium.models import Library
from consortium.permissions import LOUNA_AREA, roles_of

__all__ = (
    "can_manage",
    "can_view",
    "can_propose",
    "director_library_ids",
    "director_municipality_ids",
    "restrict_feedback",
    "restrict_agenda_items",
    "restrict_notes",
    "restrict_municipal_states",
)


def can_manage(user) -> bool:
    roles = roles_of(user)
    return roles.staff or roles.coordinator


def _director_scope(user) -> tuple[frozenset, frozenset]:
    """(library ids, municipality ids) of the Louna libraries the person directs; read once
    per request and cached on the user like the roles themselves."""
    cached = getattr(user, "_louna_director_scope", None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    scope = (frozenset(), frozenset())
    if roles.director_of:
        rows = list(
            Library.objects.in_area(LOUNA_AREA).filter(pk__in=roles.director_of).values_list("pk", "municipality_id")
        )
        scope = (frozenset(pk for pk, _ in rows), frozenset(m for _, m in rows))
    user._louna_director_scope = scope
    return scope


def director_library_ids(user) -> frozenset:
    return _director_scope(user)[0]


def director_municipality_ids(user) -> frozenset:
    return _director_scope(user)[1]


def can_view(user) -> bool:
    return can_manage(user) or bool(director_library_ids(user))


def can_propose(user) -> bool:
    """Directors of Louna libraries propose agenda items (the coordinator may add them too)."""
    return can_view(user)


def restrict_feedback(qs: QuerySet, user) -> QuerySet:
    """Directors see feedback about their own municipality and about the shared services
    (feedback without a municipality); the coordinator and staff see all of it."""
    if can_manage(user):
        return qs
    municipalities = director_municipality_ids(user)
    if not municipalities:
        return qs.none()
    return qs.filter(Q(municipality__isnull=True) | Q(municipality_id__in=municipalities))


def restrict_agenda_items(qs: QuerySet, user) -> QuerySet:
    """A director sees what is on the agenda and their own proposals, never another
    director's proposal before the coordinator has put it on the agenda."""
    if can_manage(user):
        return qs
    if not director_library_ids(user):
        return qs.none()
    return qs.filter(Q(state="on_agenda") | Q(proposed_by=user))


def restrict_notes(qs: QuerySet, user) -> QuerySet:
    if can_manage(user):
        return qs
    if not director_library_ids(user):
        return qs.none()
    return qs.filter(for_directors=True)


def restrict_municipal_states(qs: QuerySet, user) -> QuerySet:
    if can_manage(user):
        return qs
    return qs.filter(library_id__in=director_library_ids(user))
