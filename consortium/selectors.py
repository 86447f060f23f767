"""Reads of the core: each returns what a page shows, in a fixed number of queries."""

from collections.abc import Iterable

from django.db.models import Count, Model, Prefetch, Q, QuerySet

from .models import LIBRARY_ROLES, CooperationArea, JobRun, Library, Role, RoleAssignment, ServicePoint, User
from .permissions import LOUNA_AREA, roles_of, visible_libraries, visible_people

__all__ = ("library_list", "library_get", "people_list", "person_get", "job_run_list", "role_holders",
           "cooperation_areas_of")


def library_list(*, user, search: str = "", area: str = "") -> QuerySet[Library]:
    qs = (
        visible_libraries(user)
        .select_related("municipality")
        .prefetch_related("cooperation_areas")
        .annotate(point_count=Count("service_points", filter=Q(service_points__closed_on__isnull=True)))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(municipality__name_fi__icontains=search)
                       | Q(municipality__code=search))
    if area:
        qs = qs.filter(cooperation_areas__slug=area)
    return qs.order_by("name")


def library_get(*, user, pk: int) -> Library:
    """One library the user may see (Library.DoesNotExist otherwise: the view answers 404)."""
    return (
        visible_libraries(user)
        .select_related("municipality")
        .prefetch_related(
            "cooperation_areas",
            Prefetch("service_points", queryset=ServicePoint.objects.prefetch_related("external_ids")),
            Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("user")),
        )
        .get(pk=pk)
    )


def people_list(*, user, search: str = "", role: str = "") -> QuerySet[User]:
    """The people list's rows: only the columns it shows, and each person's roles as a plain
    list (`role_list`) — a list page of 50 rows otherwise builds 50 querysets over the
    prefetched roles and loads every column of every person and library."""
    qs = visible_people(user).only("pk", "full_name", "email", "is_active").prefetch_related(
        Prefetch("role_assignments", to_attr="role_list",
                 queryset=RoleAssignment.objects.select_related("library").only("user_id", "role", "library__name")
                 .order_by("role", "library__name"))
    )
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if role:
        qs = qs.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    return qs.order_by("full_name", "email")


def person_get(*, user, pk: int) -> User:
    return visible_people(user).prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("library"))
    ).get(pk=pk)


def job_run_list() -> QuerySet[JobRun]:
    return JobRun.objects.select_related("created_by")


def role_holders(*, roles: str | Iterable[str], libraries: QuerySet | Iterable | None = None) -> QuerySet[User]:
    """The people to write to: active users with an e-mail address who hold any of `roles`
    (one Role or several), each once, ordered by e-mail.

    `libraries` (a Library queryset, Library objects or ids) narrows the roles held in a
    library (director, contact) to those libraries; the roles held without one (staff,
    coordinator) do not depend on it. So "the directors of Louna's libraries and the
    coordinators" is one call: role_holders(roles=[Role.DIRECTOR, Role.COORDINATOR],
    libraries=Library.objects.in_area(LOUNA_AREA)). Without `libraries`, a library role
    counts in any library."""
    wanted = [roles] if isinstance(roles, str) else list(roles)
    unknown = set(wanted) - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown role(s): {', '.join(sorted(unknown))}")
    library_roles = [role for role in wanted if role in LIBRARY_ROLES]
    held = Q(role__in=[role for role in wanted if role not in LIBRARY_ROLES])
    if library_roles and libraries is None:
        held |= Q(role__in=library_roles)
    elif library_roles:
        held |= Q(role__in=library_roles, library__in=_library_ids(libraries))
    # A subquery, not a join: a person with two matching roles is still one row, without
    # DISTINCT (which would stop callers from ordering or annotating freely).
    holders = RoleAssignment.objects.filter(held).order_by().values("user_id")
    return (User.objects.filter(pk__in=holders, is_active=True).exclude(email="")
            .order_by("email", "pk"))


def _library_ids(libraries: QuerySet | Iterable) -> QuerySet | list:
    if isinstance(libraries, QuerySet):
        return libraries.order_by().values("pk")
    return [library.pk if isinstance(library, Model) else library for library in libraries]


def cooperation_areas_of(user: User) -> QuerySet[CooperationArea]:
    """The cooperation areas a person works in: those of the libraries where they hold a
    role, and for the coordinator the area they serve (their role has no library)."""
    roles = roles_of(user)
    if not roles.library_ids and not roles.coordinator:
        return CooperationArea.objects.none()
    in_area = Q(libraries__in=roles.library_ids)
    if roles.coordinator:
        in_area |= Q(slug=LOUNA_AREA)
    return CooperationArea.objects.filter(pk__in=CooperationArea.objects.filter(in_area).values("pk")).order_by("name")
