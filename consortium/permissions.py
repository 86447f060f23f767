"""Who may see and change what. The one place that decides; views and selectors ask here.

Every list a user sees starts from a queryset restricted here, so a forgotten filter
cannot leak another library's objects: an object outside the user's scope is simply
not found (404), never "forbidden" (which would confirm that it exists).
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Library, Role, RoleAssignment, User

__all__ = (
    "Roles",
    "roles_of",
    "visible_libraries",
    "restrict_to_libraries",
    "can_manage_organisations",
    "can_manage_people",
    "visible_people",
    "has_a_role",
    "can_see_jobs",
    "can_see_outbox",
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


NO_ROLES = Roles()


# The roles are needed on every page, so they come with the person: the authentication
# backend (consortium/backends.py) reads the user row and their role assignments in one
# query, as "role:library_id" pairs in this attribute. Nothing is cached between requests,
# so a removed role stops working at the next request.
ROLE_ROWS_ATTRIBUTE = "portal_role_rows"


def role_rows_annotation() -> RawSQL:
    """For annotating users: their role assignments as "staff:,director:12,…" (or NULL).
    Written as SQL on purpose: the same subquery built from ORM expressions costs several
    times the whole query to compile, on every request."""
    join = "GROUP_CONCAT" if connection.vendor == "sqlite" else "STRING_AGG"
    meta = RoleAssignment._meta
    role, library, user = (meta.get_field(name).column for name in ("role", "library", "user"))
    sql = (f"SELECT {join}(ra.{role} || ':' || COALESCE(CAST(ra.{library} AS TEXT), ''), ',') "
           f'FROM "{meta.db_table}" ra WHERE ra.{user} = "{User._meta.db_table}"."{User._meta.pk.column}"')
    return RawSQL(sql, [], output_field=CharField())


def _role_rows(user: User) -> list[tuple[str, int | None]]:
    joined = getattr(user, ROLE_ROWS_ATTRIBUTE, False)
    if joined is False:  # a user object from elsewhere than the request: ask the database
        # order_by(): the model's default ordering would join Library for nothing.
        return list(RoleAssignment.objects.filter(user=user).order_by().values_list("role", "library_id"))
    rows = []
    for pair in (joined or "").split(","):
        if pair:
            role, _, library_id = pair.partition(":")
            rows.append((role, int(library_id) if library_id else None))
    return rows


def roles_of(user: User) -> Roles:
    """The person's roles, read once and kept on the user object for the rest of the request."""
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
    """Drop the roles read for this request after they change within it."""
    for attribute in ("_portal_roles", ROLE_ROWS_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


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


def has_a_role(user: User) -> bool:
    """Somebody the portal knows: staff, the coordinator, or a library's director or contact.
    The pages every such person uses (libraries, people, the front page's cards) ask this."""
    return roles_of(user).any


def can_see_outbox(user: User) -> bool:
    """The failed-mail page: the people who send the portal's mail (staff, and the Louna
    coordinator for Louna's) see why a message failed and send it again."""
    roles = roles_of(user)
    return roles.staff or roles.coordinator
