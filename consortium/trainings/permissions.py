"""Who may do what with trainings. Views ask here; services trust their caller.

- Consortium staff arrange trainings: create, publish, cancel, see every registration,
  export, mark attendance, write to participants, read feedback and wishes.
- A library contact registers staff of their own libraries and sees their libraries'
  registrations; another library's registrations are not found (404).
- Anyone signed in with a library role registers themselves and tells training wishes.
- Everyone reads the public calendar of published trainings."""

from django.db.models import QuerySet

from consortium.models import Library
from consortium.permissions import roles_of

__all__ = ("can_manage", "can_register_self", "can_register_others", "registrar_libraries", "self_libraries",
           "restrict_registrations", "can_wish")


def can_manage(user) -> bool:
    return roles_of(user).staff


def self_libraries(user) -> QuerySet:
    """The libraries a person can register themselves under: those they hold a role in."""
    return Library.objects.filter(pk__in=roles_of(user).library_ids).order_by("name")


def can_register_self(user) -> bool:
    return bool(roles_of(user).library_ids)


def registrar_libraries(user) -> QuerySet:
    """The libraries whose staff the person may register: their contact libraries."""
    return Library.objects.filter(pk__in=roles_of(user).contact_of).order_by("name")


def can_register_others(user) -> bool:
    return roles_of(user).is_contact


def can_wish(user) -> bool:
    roles = roles_of(user)
    return roles.staff or bool(roles.library_ids)


def restrict_registrations(qs: QuerySet, user) -> QuerySet:
    """Staff see all registrations; a contact their libraries'; others only their own."""
    roles = roles_of(user)
    if roles.staff:
        return qs
    if not user.is_authenticated:
        return qs.none()
    from django.db.models import Q

    return qs.filter(Q(library_id__in=roles.contact_of) | Q(user=user))
