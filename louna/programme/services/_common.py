"""Helpers the stages of the programme's services share."""


from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consortium.models import Role, RoleAssignment

from ..models import (
    Programme,
    ProgrammeVersion,
)



def _not_final(programme: Programme) -> None:
    if programme.is_final:
        raise ValidationError(_("The programme %(year)d is final and cannot change; make an explicit amendment "
                                "instead.") % {"year": programme.year})


def _locked(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def latest_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.order_by("-number").first()



def _directors_of(library_ids) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(role=Role.DIRECTOR, library_id__in=library_ids, user__is_active=True)
                .select_related("user", "library").order_by("library__name", "user__full_name"))



def final_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.filter(kind__in=[ProgrammeVersion.Kind.FINAL, ProgrammeVersion.Kind.AMENDMENT]) \
        .order_by("-number").first()
