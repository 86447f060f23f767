"""The registry of web sites and e-material services (`Service`): listing, adding and
changing them from the statistics pages rather than the admin.

A service is found in an import file by its code, its name or (web sites) its Matomo id or
name (`servicefigures._ServiceFinder`), so no two active services of one kind may share any
of these: the file's row would belong to whichever came first. Saving refuses that, naming
the other service."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from .csvimport import _norm
from .models import Service

__all__ = ("service_get", "service_list", "service_save")


def service_list():
    """Every service, web sites first, with how many figures it has (one query)."""
    return Service.objects.select_related("feeds").annotate(figure_count=Count("figures")).order_by("kind", "name")


def service_get(*, pk: int) -> Service:
    return Service.objects.get(pk=pk)


def _keys(service: Service) -> dict[str, str]:
    """The texts an import file may name the service by, normalised as the finder does."""
    keys = {"code": service.code, "name": service.name, "matomo_site": service.matomo_site}
    return {field: _norm(value) for field, value in keys.items() if value}


@transaction.atomic
def service_save(*, service: Service | None = None, code: str, name: str, kind: str, matomo_site: str = "",
                 feeds=None, is_active: bool = True) -> Service:
    """Add a service (service=None) or change one. Refused, naming the field: a code taken,
    an e-material service that feeds a shared figure (its figures reach the municipalities
    through the annual job's keys), a web site feeding a figure that is not shared, or a
    code, name or Matomo site that another active service of the same kind is known by."""
    service = service if service is not None else Service()
    if service.pk and service.kind != kind and service.figures.exists():
        raise ValidationError({"kind": _("The service has figures; its type cannot change.")})
    service.code, service.name, service.kind = code.strip(), name.strip(), kind
    service.matomo_site, service.feeds, service.is_active = matomo_site.strip(), feeds, is_active
    if kind == Service.Kind.EMATERIAL:
        if feeds is not None:
            raise ValidationError({"feeds": _("An e-material service feeds no shared figure itself: the annual "
                                              "job splits its figures by the keys.")})
        if service.matomo_site:
            raise ValidationError({"matomo_site": _("Only a web site has a Matomo site.")})
    if feeds is not None and not feeds.is_shared:
        raise ValidationError({"feeds": _("%(metric)s is not a shared figure.") % {"metric": feeds.name}})
    service.full_clean()
    if service.is_active:
        _refuse_ambiguous(service)
    service.save()
    return service


def _refuse_ambiguous(service: Service) -> None:
    # The services of a kind are tens, not thousands: compare them all as the finder would.
    mine = _keys(service)
    for other in Service.objects.filter(kind=service.kind, is_active=True).exclude(pk=service.pk):
        theirs = set(_keys(other).values())
        for field, value in mine.items():
            if value in theirs:
                raise ValidationError({field: _("%(service)s is already known by “%(value)s”: an import file's "
                                                "row would not know which service it is.") % {
                    "service": other.name, "value": getattr(service, field)}})
