"""Dividing a shared service's total among municipalities.

Largest-remainder (Hamilton) rounding: every part gets the whole number below its exact
share, and the units left over go to the parts with the largest remainders, so the parts
always add up exactly to the total. Integer arithmetic only: no float can lose a unit."""

from collections.abc import Hashable, Mapping

__all__ = ("split_largest_remainder",)


def split_largest_remainder(total: int, weights: Mapping[Hashable, int]) -> dict:
    """Split `total` in proportion to `weights` (e.g. populations). A tie in the remainder
    goes to the larger weight, then to the smaller key, so the result is always the same."""
    if total < 0:
        raise ValueError("The total must not be negative.")
    if not weights:
        raise ValueError("Nothing to split among.")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("A weight must not be negative.")
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        raise ValueError("The weights add up to zero.")
    # The exact share of key k is total * w_k / weight_sum: its whole part and remainder.
    parts = {key: (total * weight) // weight_sum for key, weight in weights.items()}
    remainders = {key: (total * weight) % weight_sum for key, weight in weights.items()}
    left_over = total - sum(parts.values())
    order = sorted(weights, key=lambda key: (-remainders[key], -weights[key], str(key)))
    for key in order[:left_over]:
        parts[key] += 1
    return parts
