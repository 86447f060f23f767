"""The registry of web sites and e-material services (`Service`): listing, adding and
changing them from the statistics pages rather than the admin.

A service is found in an import file by its code, its name or (web sites) its Matomo id or
name (`servicefigures._ServiceFinder`), so no two active services of one kind may share any
of these: the file's row would belong to whichever came first. Saving refuses that, naming
the other service."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from . import selectors
from .csvimport import _norm
from .models import CounterMonthUses, CounterPlatform, Service, StatisticsYear

__all__ = ("service_get", "service_list", "service_save")


def service_list():
    """Every service, web sites first, with how many figures it has and its COUNTER platforms
    (two queries)."""
    return (Service.objects.select_related("feeds").annotate(figure_count=Count("figures"))
            .prefetch_related("counter_platforms").order_by("kind", "name"))


def service_get(*, pk: int) -> Service:
    return Service.objects.get(pk=pk)


def _keys(service: Service) -> dict[str, str]:
    """The texts an import file may name the service by, normalised as the finder does."""
    keys = {"code": service.code, "name": service.name, "matomo_site": service.matomo_site}
    return {field: _norm(value) for field, value in keys.items() if value}


@transaction.atomic
def service_save(*, service: Service | None = None, code: str, name: str, kind: str, matomo_site: str = "",
                 feeds=None, is_active: bool = True, counter_platforms: list[str] | None = None) -> Service:
    """Add a service (service=None) or change one. Refused, naming the field: a code taken,
    an e-material service that feeds a shared figure (its figures reach the municipalities
    through the annual job's keys), a web site feeding a figure that is not shared, or a
    code, name or Matomo site that another active service of the same kind is known by.
    `counter_platforms` (None: left as they are) become the e-material service's COUNTER
    platforms; one another service claims, the same one twice, or any on a web site is
    refused."""
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
    if counter_platforms is not None:
        _platforms_save(service, counter_platforms)
    return service


def _platforms_save(service: Service, names: list[str]) -> None:
    """The service's COUNTER platforms become `names` (compared without regard to case, as
    the counting does: stats/counteruses.py)."""
    wanted = {}
    for name in (name.strip() for name in names):
        if name and name.lower() in wanted:
            raise ValidationError({"counter_platforms": _("The same COUNTER platform is named twice.")})
        if name:
            wanted[name.lower()] = name
    if wanted and service.kind != Service.Kind.EMATERIAL:
        raise ValidationError({"counter_platforms": _("Only an e-material service has COUNTER platforms.")})
    claims = Q()
    for name in wanted.values():
        claims |= Q(name__iexact=name)
    taken = (CounterPlatform.objects.filter(claims).exclude(service=service).select_related("service")
             .order_by("name").first() if wanted else None)
    if taken is not None:
        raise ValidationError({"counter_platforms": _("%(service)s already claims the COUNTER platform %(name)s.") % {
            "service": taken.service.name, "name": taken.name}})
    have = {platform.name.lower(): platform for platform in service.counter_platforms.all()}
    _refuse_locked_claims(changed={have[key].name for key in have if key not in wanted}
                          | {name for key, name in wanted.items() if key not in have})
    CounterPlatform.objects.filter(pk__in=[p.pk for key, p in have.items() if key not in wanted]).delete()
    for key, name in wanted.items():
        if key in have:
            if have[key].name != name:  # a corrected spelling of case
                have[key].name = name
                have[key].save(update_fields=["name"])
        else:
            CounterPlatform.objects.create(service=service, name=name)


def _refuse_locked_claims(*, changed: set[str]) -> None:
    """Claiming a platform, or giving one up, moves its uses into or out of a service, and
    the annual job splits a service's uses among the Louna municipalities: so the change is
    refused while a Louna municipality's figures of a year in which the platform has uses
    are locked, or the whole year is reported (the others' parts would no longer add up with
    the locked one's). A platform without uses in such a year is free to change: the claims
    are not per year."""
    if not changed:
        return
    from .services import locked_message

    names = Q()
    for name in changed:
        names |= Q(platform__iexact=name)
    # Months of no uses move nothing between the parts: only a year with some uses counts.
    used = sorted(CounterMonthUses.objects.filter(names, replaced_by__isnull=True, uses__gt=0)
                  .values_list("month__year", "platform").distinct())
    if not used:
        return
    # The years' rows locked first, as the lock and the imports lock them: a lock taken
    # meanwhile is seen here, and none is taken until this change is in.
    years = {year: state for year, state in StatisticsYear.objects.select_for_update()
             .filter(year__in={year for year, _platform in used}).order_by("year").values_list("year", "state")}
    for year in sorted(years):
        platforms = ", ".join(sorted({platform for used_year, platform in used if used_year == year}, key=str.lower))
        if years[year] == StatisticsYear.State.REPORTED:
            reason = _("The statistics of %(year)d have been reported and are locked.") % {"year": year}
        else:
            locked, louna_locked, names = selectors.louna_locks(year=year)
            if not louna_locked:
                continue
            reason = locked_message(municipality_id=louna_locked[0], locked=locked, names=names, year=year)
        raise ValidationError({"counter_platforms": _(
            "%(reason)s %(platforms)s has uses in %(year)d, which the annual job splits among the Louna "
            "municipalities, that one included: the platform's claim cannot change while those figures are "
            "locked.") % {"reason": reason, "platforms": platforms, "year": year}})


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
