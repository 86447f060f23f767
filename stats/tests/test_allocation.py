"""The one allocation implementation: parts are whole, add up exactly, never negative, and
do not depend on the order the inputs arrive in."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stats.allocation import Key, allocate, largest_remainder, split_money

weights_strategy = st.dictionaries(st.integers(min_value=1, max_value=10_000), st.integers(min_value=0, max_value=10**7),
                                   min_size=1, max_size=40).filter(lambda w: sum(w.values()) > 0)


@given(total=st.integers(min_value=0, max_value=10**12), weights=weights_strategy)
def test_any_allocation_sums_exactly_and_is_never_negative(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts.values()) == total
    assert set(parts) == set(weights) and all(part >= 0 for part in parts.values())


@given(total=st.integers(min_value=0, max_value=10**9), weights=weights_strategy, data=st.data())
def test_reordering_the_inputs_changes_nothing(total, weights, data):
    order = data.draw(st.permutations(list(weights)))
    assert largest_remainder(total, {key: weights[key] for key in order}) == largest_remainder(total, weights)


@given(total=st.integers(min_value=0, max_value=10**6), members=st.sets(st.integers(1, 999), min_size=1, max_size=20))
def test_equal_key_differs_by_at_most_one(total, members):
    parts = allocate(total=total, key=Key.EQUAL, members=members).parts
    assert sum(parts.values()) == total and max(parts.values()) - min(parts.values()) <= 1


def test_the_tie_rule_larger_weight_then_smaller_key():
    assert largest_remainder(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    # Integer keys (municipality ids) tie by value, not by text: 9 before 10.
    assert largest_remainder(1, {10: 1, 9: 1}) == {9: 1, 10: 0}


def test_keys_show_their_inputs_and_as_is_must_add_up():
    population = allocate(total=10_001, key=Key.POPULATION, members=[1, 2], weights={1: 2174, 2: 6016})
    assert population.parts == {1: 2655, 2: 7346} and population.inputs == {1: 2174, 2: 6016}
    assert allocate(total=5, key=Key.AS_IS, members=[1, 2], given={1: 2, 2: 3}).parts == {1: 2, 2: 3}
    with pytest.raises(ValueError, match="add up to 4, not to 5"):
        allocate(total=5, key=Key.AS_IS, members=[1, 2], given={1: 1, 2: 3})
    with pytest.raises(ValueError, match="No loans figure for: 2"):
        allocate(total=5, key=Key.LOANS, members=[1, 2], weights={1: 3})


def test_money_splits_to_the_cent():
    parts = split_money(__import__("decimal").Decimal("100.00"), {1: 1, 2: 1, 3: 1})
    assert sum(parts.values()) == __import__("decimal").Decimal("100.00")
