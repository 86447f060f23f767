"""Writes of the core. Each service validates, runs in one transaction, and is the only
way the views, forms and tasks change these objects."""

import uuid

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import LIBRARY_ROLES, Library, Role, RoleAssignment, ServicePoint, ServicePointExternalId, User
from .outbox import enqueue_mail_to_user
from .permissions import forget_roles

__all__ = (
    "library_save",
    "service_point_save",
    "user_invite",
    "password_reset_mail_queue",
    "user_update",
    "role_assign",
    "role_remove",
    "user_set_language",
    "organisation_data_check",
    "invitation_url",
)


@transaction.atomic
def library_save(*, library: Library, cooperation_areas=None) -> Library:
    library.full_clean()
    library.save()
    if cooperation_areas is not None:
        library.cooperation_areas.set(cooperation_areas)
    return library


@transaction.atomic
def service_point_save(*, service_point: ServicePoint, external_ids: dict[str, str]) -> ServicePoint:
    """Save a service point with its outside ids ({source: value}; an empty value removes
    that source's id). An id already used by another point is refused, naming the field."""
    service_point.full_clean()
    ids = {source: (value or "").strip() for source, value in external_ids.items()}
    # Every check before the first write: a refused new point keeps no id in memory (the form
    # page would otherwise offer to edit a point that was rolled back).
    for source, value in ids.items():
        if not value:
            continue
        clashes = ServicePointExternalId.objects.filter(source=source, value=value)
        if service_point.pk:
            clashes = clashes.exclude(service_point=service_point)
        clash = clashes.select_related("service_point").first()
        if clash:
            raise ValidationError(
                {f"id_{source}": _("The id %(value)s is already used by %(point)s.")
                 % {"value": value, "point": clash.service_point}}
            )
    service_point.save()
    for source, value in ids.items():
        if not value:
            service_point.external_ids.filter(source=source).delete()
            continue
        ServicePointExternalId.objects.update_or_create(
            service_point=service_point, source=source, defaults={"value": value}
        )
    return service_point


def invitation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})


def _check_role(role: str, library: Library | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role in LIBRARY_ROLES and library is None:
        raise ValidationError({"library": _("A director or contact role needs a library.")})
    if role not in LIBRARY_ROLES and library is not None:
        raise ValidationError({"library": _("This role is not held in a library; leave the library empty.")})


@transaction.atomic
def user_invite(*, email: str, full_name: str, role: str, library: Library | None = None,
                language: str = "fi", invited_by: User | None = None, submission_id=None) -> User:
    """Create a person with the given role and e-mail them a link to set their password.
    Inviting an address that already has an account adds the role; the link goes again to
    a person who has never set a password (their first link may have expired, and password
    reset ignores accounts without one).

    `submission_id` names the invitation (the invite form's hidden id): the same submission
    twice (a double click) queues one message; without it every call is a new invitation."""
    email = User.objects.normalize_email(email).strip().lower()
    _check_role(role, library)
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, full_name=full_name.strip(), language=language)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    role_assign(user=user, role=role, library=library)
    if created or not user.has_usable_password():
        # Queued with the person and the role: rolled back together, sent after the commit.
        enqueue_mail_to_user(
            user=user, key=f"consortium.invitation:{user.pk}:{submission_id or uuid.uuid4()}",
            kind="consortium.invitation", template="consortium/mail/invitation", about=user,
            context={"link": invitation_url(user), "invited_by": invited_by, "role": Role(role).label,
                     "library": library})
    return user


def password_reset_mail_queue(*, user: User, context: dict) -> None:
    """Queue the password-reset link (Django's reset form builds `context`: uid, token,
    protocol, domain). The key is the link's token: the same link is queued once, a later
    request (a new token) is a new message."""
    enqueue_mail_to_user(user=user, key=f"consortium.password_reset:{user.pk}:{context['token']}",
                         kind="consortium.password_reset", template="registration/password_reset_mail",
                         context=context, about=user)


@transaction.atomic
def user_update(*, user: User, full_name: str, title: str = "", phone: str = "", language: str = "fi",
                is_active: bool = True) -> User:
    user.full_name = full_name.strip()
    user.title = title.strip()
    user.phone = phone.strip()
    user.language = language
    user.is_active = is_active
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def role_assign(*, user: User, role: str, library: Library | None = None) -> RoleAssignment:
    _check_role(role, library)
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, library=library)
    forget_roles(user)
    return assignment


@transaction.atomic
def role_remove(*, assignment: RoleAssignment) -> None:
    user = assignment.user
    assignment.delete()
    forget_roles(user)


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def organisation_data_check(*, progress) -> dict:
    """List gaps in the organisation records, library by library, reporting progress."""
    from django.db.models import Count, Exists, OuterRef, Q

    libraries = list(
        Library.objects.active()
        .annotate(
            open_points=Count("service_points", filter=Q(service_points__closed_on__isnull=True), distinct=True),
            has_director=Exists(RoleAssignment.objects.filter(library=OuterRef("pk"), role=Role.DIRECTOR)),
        )
        .order_by("pk")
    )
    missing_kirkanta = set(
        ServicePoint.objects.filter(library__is_active=True, closed_on__isnull=True)
        .exclude(external_ids__source=ServicePointExternalId.Source.KIRKANTA)
        .values_list("library_id", flat=True)
    )
    progress.total(len(libraries))
    findings = {"no_service_point": [], "no_director": [], "no_kirkanta_id": []}
    for index, library in enumerate(libraries, start=1):
        if not library.open_points:
            findings["no_service_point"].append(library.name)
        if not library.has_director:
            findings["no_director"].append(library.name)
        if library.pk in missing_kirkanta:
            findings["no_kirkanta_id"].append(library.name)
        if index % 50 == 0 or index == len(libraries):
            progress.advance(index)
    progress.advance(
        len(libraries),
        message=_("%(libraries)d libraries checked: %(points)d without an open service point, "
                  "%(directors)d without a director, %(kirkanta)d with a point lacking a Kirkanta id.")
        % {"libraries": len(libraries), "points": len(findings["no_service_point"]),
           "directors": len(findings["no_director"]), "kirkanta": len(findings["no_kirkanta_id"])},
    )
    return findings
