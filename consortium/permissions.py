"""Who may see and change what. The one place that decides; views and selectors ask here.

Every list a user sees starts from a queryset restricted here, so a forgotten filter
cannot leak another library's objects: an object outside the user's scope is simply
not found (404), never "forbidden" (which would confirm that it exists).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet

from .models import LIBRARY_ROLES, Library, Role, RoleAssignment, User

__all__ = (
    "Roles",
    "roles_of",
    "visible_libraries",
    "restrict_to_libraries",
    "can_manage_organisations",
    "can_manage_people",
    "visible_people",
    "can_see_jobs",
    "LOUNA_AREA",
)

# The cooperation area whose libraries the Louna coordinator serves.
LOUNA_AREA = "louna"


@dataclass(frozen=True)
class Roles:
    """What one person is, read once per request from their role assignments."""

    staff: bool = False
    coordinator: bool = False
    director_of: frozenset = field(default_factory=frozenset)
    contact_of: frozenset = field(default_factory=frozenset)

    @property
    def library_ids(self) -> frozenset:
        """Libraries in which the person holds a role of their own."""
        return self.director_of | self.contact_of

    @property
    def is_director(self) -> bool:
        return bool(self.director_of)

    @property
    def is_contact(self) -> bool:
        return bool(self.contact_of)

    @property
    def any(self) -> bool:
        return self.staff or self.coordinator or bool(self.library_ids)

    def role_names(self) -> list[str]:
        names = []
        if self.staff:
            names.append(Role.STAFF)
        if self.coordinator:
            names.append(Role.COORDINATOR)
        if self.director_of:
            names.append(Role.DIRECTOR)
        if self.contact_of:
            names.append(Role.CONTACT)
        return names


NO_ROLES = Roles()


# Roles are read on every page, so with a shared cache (Redis: PORTAL_CACHE_ROLES) they are
# kept there between requests. Every change of a RoleAssignment through the ORM drops the
# person's entry at once and again on commit (see `_drop_cached_roles`); the timeout bounds
# what a change made around the ORM (a raw UPDATE) could leave behind.
ROLES_CACHE_SECONDS = 300


def roles_cache_key(user_id: int) -> str:
    return f"portal:roles:v1:{user_id}"


def _role_rows(user: User) -> list[tuple[str, int | None]]:
    use_cache = getattr(settings, "PORTAL_CACHE_ROLES", False)
    if use_cache:
        rows = cache.get(roles_cache_key(user.pk))
        if rows is not None:
            return rows
    # order_by(): the model's default ordering would join Library for nothing.
    rows = list(RoleAssignment.objects.filter(user=user).order_by().values_list("role", "library_id"))
    if use_cache:
        cache.set(roles_cache_key(user.pk), rows, ROLES_CACHE_SECONDS)
    return rows


def roles_of(user: User) -> Roles:
    """The person's roles, cached on the user object for the rest of the request (and, with
    PORTAL_CACHE_ROLES, in the shared cache until their role assignments change)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    staff = coordinator = False
    director_of, contact_of = set(), set()
    for role, library_id in _role_rows(user):
        if role == Role.STAFF:
            staff = True
        elif role == Role.COORDINATOR:
            coordinator = True
        elif role == Role.DIRECTOR:
            director_of.add(library_id)
        elif role == Role.CONTACT:
            contact_of.add(library_id)
    # Superusers (the Django admin's owners) act as consortium staff.
    roles = Roles(
        staff=staff or user.is_superuser,
        coordinator=coordinator,
        director_of=frozenset(director_of),
        contact_of=frozenset(contact_of),
    )
    user._portal_roles = roles
    return roles


def forget_roles(user: User) -> None:
    """Drop the cached roles after they change within a request."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles
    cache.delete(roles_cache_key(user.pk))


def _drop_cached_roles(sender, instance, **kwargs) -> None:
    """Connected to RoleAssignment's post_save and post_delete (apps.py). Dropped now, and
    again when the transaction commits, so a request that read the old rows meanwhile
    cannot leave them cached."""
    key = roles_cache_key(instance.user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def library_scope(user: User) -> Q | None:
    """A filter on Library for the libraries the user may see; None means all of them."""
    roles = roles_of(user)
    if roles.staff:
        return None
    condition = Q(pk__in=roles.library_ids)
    if roles.coordinator:
        condition |= Q(cooperation_areas__slug=LOUNA_AREA)
    return condition


def visible_libraries(user: User) -> QuerySet[Library]:
    roles = roles_of(user)
    if not roles.any:
        return Library.objects.none()
    scope = library_scope(user)
    qs = Library.objects.all()
    if scope is None:
        return qs
    # The area join can repeat a library; filtering by id keeps the queryset simple to extend.
    return qs.filter(pk__in=Library.objects.filter(scope).values("pk"))


def restrict_to_libraries(qs: QuerySet, user: User, path: str = "library") -> QuerySet:
    """Restrict any queryset whose objects belong to a library (through `path`)."""
    roles = roles_of(user)
    if roles.staff:
        return qs
    if not roles.any:
        return qs.none()
    return qs.filter(**{f"{path}__in": visible_libraries(user).values("pk")})


def can_manage_organisations(user: User) -> bool:
    """Libraries, service points and municipalities are kept by consortium staff."""
    return roles_of(user).staff


def can_manage_people(user: User) -> bool:
    """Staff invite people and give roles; nobody else hands out roles."""
    return roles_of(user).staff


def visible_people(user: User) -> QuerySet[User]:
    """Staff see everyone; others see the people of the libraries they may see."""
    roles = roles_of(user)
    if roles.staff:
        return User.objects.all()
    if not roles.any:
        return User.objects.none()
    library_ids = visible_libraries(user).values("pk")
    in_scope = Q(role_assignments__library__in=library_ids) | Q(pk=user.pk)
    if roles.coordinator:
        # The coordinator works with consortium staff and other coordinators too.
        in_scope |= Q(role_assignments__role__in=[Role.STAFF, Role.COORDINATOR])
    return User.objects.filter(pk__in=User.objects.filter(in_scope).values("pk"))


def can_see_jobs(user: User) -> bool:
    roles = roles_of(user)
    return roles.staff or roles.coordinator


def is_library_role(role: str) -> bool:
    return role in LIBRARY_ROLES
