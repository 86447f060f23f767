"""Largest-remainder rounding: the municipalities' parts always add up to the total."""

import random

import pytest

from stats.allocation import largest_remainder as split_largest_remainder

# The Louna municipalities' populations at 31.12.2020.
LOUNA = {"061": 16800, "103": 2174, "169": 5061, "834": 6016, "981": 2314}


def test_louna_split_adds_up_and_follows_population():
    parts = split_largest_remainder(410_000, LOUNA)
    assert sum(parts.values()) == 410_000
    # Exact shares: Forssa 212 822.49, Humppila 27 540.24, Jokioinen 64 112.78, Tammela 76 210.72,
    # Ypäjä 29 313.76. The whole parts add up to 409 997; the three units left go to the three
    # largest remainders (Jokioinen .78, Ypäjä .76, Tammela .72), not to Forssa (.49).
    assert parts == {"061": 212822, "103": 27540, "169": 64113, "834": 76211, "981": 29314}


def test_left_over_units_go_to_the_largest_remainders():
    # 10 among three equal weights: 3.33 each; one unit left over, the tie goes to the smallest key.
    assert split_largest_remainder(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    # 7 by 1:2:4 is exact.
    assert split_largest_remainder(7, {"a": 1, "b": 2, "c": 4}) == {"a": 1, "b": 2, "c": 4}
    # 5 by 1:1:8 -> 0.5, 0.5, 4: one unit left, the tie on remainder goes to the smaller key
    assert split_largest_remainder(5, {"x": 1, "y": 1, "z": 8}) == {"x": 1, "y": 0, "z": 4}


def test_naive_rounding_would_not_add_up_but_this_does():
    weights = {"a": 1, "b": 1, "c": 1}
    assert sum(round(100 * w / 3) for w in weights.values()) == 99
    assert sum(split_largest_remainder(100, weights).values()) == 100


@pytest.mark.parametrize("seed", range(20))
def test_random_splits_always_add_up(seed):
    rng = random.Random(seed)
    weights = {f"k{i}": rng.randint(0, 50_000) for i in range(rng.randint(1, 12))}
    weights["k0"] = max(weights["k0"], 1)
    total = rng.randint(0, 10_000_000)
    parts = split_largest_remainder(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for key, weight in weights.items():
        assert abs(parts[key] - total * weight / weight_sum) < 1
    assert split_largest_remainder(total, weights) == parts  # the same every time


def test_zero_total_and_bad_input():
    assert split_largest_remainder(0, LOUNA) == dict.fromkeys(LOUNA, 0)
    with pytest.raises(ValueError):
        split_largest_remainder(-1, LOUNA)
    with pytest.raises(ValueError):
        split_largest_remainder(5, {})
    with pytest.raises(ValueError):
        split_largest_remainder(5, {"a": 0})
