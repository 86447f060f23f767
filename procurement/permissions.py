"""Who may see and change procurements. Built on consortium.permissions.

- Everyone with a role sees the procurements, their documents and agreements.
- Only a library's director or contact answers for that library (a coordinator does not).
- A library's answer is seen by that library and by consortium staff; any other library's
  answer is not found (404).
- Consortium staff manage the procurements, awards, agreements, appeals and notes.
"""

from django.db.models import QuerySet

from consortium.models import Library
from consortium.permissions import roles_of

__all__ = ("can_see_procurements", "can_manage_procurements", "answering_libraries", "answers_for_a_library",
           "answers_visible_to")


def can_see_procurements(user) -> bool:
    return roles_of(user).any


def can_manage_procurements(user) -> bool:
    return roles_of(user).staff


def answering_libraries(user) -> QuerySet[Library]:
    """The libraries this person may answer for: those where they are director or contact."""
    ids = roles_of(user).library_ids
    if not ids:
        return Library.objects.none()
    return Library.objects.filter(pk__in=ids, is_active=True).select_related("municipality").order_by("name")


def answers_for_a_library(user) -> bool:
    """A director or contact of some library: their library's agreements are theirs to see."""
    return bool(roles_of(user).library_ids)


def answers_visible_to(user, qs):
    """Opt-in answers (or their audit entries) the person may read."""
    roles = roles_of(user)
    if roles.staff:
        return qs
    return qs.filter(library_id__in=roles.library_ids)
