"""Allocation keys: one shared figure (web visits, e-material uses, a cost in cents) split
among municipalities in whole numbers that add up exactly to the total.

The public seam for other apps (Louna's e-material cost shares call `split_money`, which
splits whole cents by `largest_remainder`); stats itself splits its shared services with
`allocate`.

Keys: by population (that year's), by loans, by agreed shares, equally, or as-is (the
source already names each municipality's part, which must then add up to the total).

Rounding is largest remainder (Hamilton): each part first gets the whole number below its
exact share total·w/Σw; the units left over (fewer than the number of parts) go one each
to the parts with the largest remainders. **Tie rule**: among equal remainders the larger
weight goes first, then the smaller key (integers by value, anything else by its text) —
so the result never depends on the order the inputs arrive in. Integer arithmetic only.

Refused with ValueError, never split: a negative total or weight, no members, and weights
that add up to zero (every member's 0, for any total, 0 included: there is no proportion to
split by; `services.split_key` names the key's missing input before it comes to that). The
equal key has a weight of 1 each, so it always splits.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ("Key", "Allocation", "largest_remainder", "allocate", "split_money")


class Key:
    POPULATION = "population"
    LOANS = "loans"
    AGREED = "agreed"
    EQUAL = "equal"
    AS_IS = "given"
    WEIGHTED = (POPULATION, LOANS, AGREED)
    ALL = (POPULATION, LOANS, AGREED, EQUAL, AS_IS)


@dataclass(frozen=True)
class Allocation:
    """The parts and how they were found: the key and its inputs, shown beside the split."""

    total: int
    key: str
    parts: dict
    inputs: dict = field(default_factory=dict)


def _tie_order(key):
    return (0, key, "") if isinstance(key, int) and not isinstance(key, bool) else (1, 0, str(key))


def largest_remainder(total: int, weights: Mapping[Hashable, int]) -> dict:
    """Split `total` in proportion to the whole-number `weights`; see the module's tie rule."""
    if total < 0:
        raise ValueError("The total must not be negative.")
    if not weights:
        raise ValueError("Nothing to split among.")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("A weight must not be negative.")
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        raise ValueError("The weights add up to zero.")
    parts = {key: (total * weight) // weight_sum for key, weight in weights.items()}
    remainders = {key: (total * weight) % weight_sum for key, weight in weights.items()}
    left_over = total - sum(parts.values())
    order = sorted(weights, key=lambda key: (-remainders[key], -weights[key], _tie_order(key)))
    for key in order[:left_over]:
        parts[key] += 1
    return parts


def allocate(*, total: int, key: str, members, weights: Mapping | None = None,
             given: Mapping | None = None) -> Allocation:
    """Split `total` among `members` (e.g. municipality ids) by `key`. Weighted keys need
    `weights` for every member; AS_IS needs `given` parts adding up to the total."""
    members = sorted(set(members), key=_tie_order)
    if key == Key.AS_IS:
        given = dict(given or {})
        if set(given) != set(members):
            raise ValueError("Every member's part must be given.")
        if any(value < 0 for value in given.values()):
            raise ValueError("A part must not be negative.")
        if sum(given.values()) != total:
            raise ValueError(f"The parts add up to {sum(given.values())}, not to {total}.")
        return Allocation(total=total, key=key, parts=given, inputs=dict(given))
    if key == Key.EQUAL:
        inputs = {member: 1 for member in members}
    elif key in Key.WEIGHTED:
        weights = dict(weights or {})
        missing = [member for member in members if member not in weights]
        if missing:
            raise ValueError(f"No {key} figure for: {', '.join(map(str, missing))}.")
        inputs = {member: int(weights[member]) for member in members}
    else:
        raise ValueError(f"Unknown allocation key {key!r}.")
    return Allocation(total=total, key=key, parts=largest_remainder(total, inputs), inputs=inputs)


def split_money(amount: Decimal, weights: Mapping[Hashable, int]) -> dict:
    """Euros split in whole cents that add up exactly to `amount`, which must itself be whole
    cents: an amount with a fraction of a cent (0.005, or a float's binary tail) is refused
    rather than rounded, since the parts could not add up to it."""
    cents = Decimal(amount).scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"The amount {amount} is not whole cents.")
    return {key: Decimal(part).scaleb(-2) for key, part in largest_remainder(int(cents), weights).items()}
