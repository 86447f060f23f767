"""Reporting series: OKM's unit is the municipality's library organisation, and a joint
library organisation (yhteiskirjasto, `consortium.JointMunicipality`) reports one series for
all the municipalities it serves, under its host municipality (`Library.municipality`).

Wherever the statistics group figures by municipality they go through here: a municipality
another organisation also serves has no series of its own; its figures, population and
figure-source figures belong to the host's series. A municipality served by nobody else is
its own series. Every function is one query whatever the number of municipalities.
"""

from dataclasses import dataclass, field

from consortium.models import JointMunicipality, Municipality

__all__ = ("Series", "joint_series", "host_ids", "series_of", "covered", "combined_weights")


@dataclass
class Series:
    """A joint organisation's series: its host municipality and the others it serves."""

    host: Municipality
    also: list = field(default_factory=list)  # Municipality, by name

    @property
    def municipalities(self) -> list:
        return [self.host, *self.also]


def joint_series() -> dict[int, Series]:
    """{host municipality id: Series} of every active joint library organisation."""
    series = {}
    for joint in (JointMunicipality.objects.filter(library__is_active=True)
                  .select_related("municipality", "library__municipality")
                  .order_by("library__municipality__name_fi", "municipality__name_fi", "municipality__code")):
        host = joint.library.municipality
        series.setdefault(host.pk, Series(host=host)).also.append(joint.municipality)
    return series


def host_ids(series: dict[int, Series]) -> dict[int, int]:
    """{municipality id: the id of the host whose series includes it} for the municipalities
    served by a joint organisation other than their own (hosts themselves are not keys)."""
    return {member.pk: host_id for host_id, one in series.items() for member in one.also}


def series_of(municipality_id: int, hosts: dict[int, int]) -> int:
    """The id of the series (its host municipality) a municipality's figures belong to."""
    return hosts.get(municipality_id, municipality_id)


def covered(series: Series | None) -> list[dict]:
    """The municipalities a series covers, for a report's details (plain data, so a stored
    version keeps what it covered then); empty for a municipality's own series."""
    if series is None:
        return []
    return [{"id": m.pk, "code": m.code, "name_fi": m.name_fi, "name_sv": m.name_sv} for m in series.municipalities]


def combined_weights(weights: dict[int, int], *, host_ids_wanted, hosts: dict[int, int]) -> dict[int, int]:
    """Per-municipality weights (e.g. populations) added up per series: a host's weight is
    its own plus those of the municipalities its organisation also serves."""
    result = {pk: 0 for pk in host_ids_wanted}
    for pk, weight in weights.items():
        host = series_of(pk, hosts)
        if host in result:
            result[host] += weight
    return result
