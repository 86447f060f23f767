"""The one allocation implementation: parts are whole, add up exactly, never negative, and
do not depend on the order the inputs arrive in."""

from decimal import Decimal

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
    parts = split_money(Decimal("100.00"), {1: 1, 2: 1, 3: 1})
    assert sum(parts.values()) == Decimal("100.00")


# ---------------------------------------------------------------- allocate() with every key, split_money

WEIGHTED_KEYS = (Key.POPULATION, Key.LOANS, Key.AGREED)


@st.composite
def members_and_weights(draw, *, positive=False):
    """Municipality ids (any non-empty set) with a non-negative weight each: often zeros,
    sometimes all of them (positive=True: their sum is above zero)."""
    members = draw(st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=30, unique=True))
    weight = st.one_of(st.just(0), st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10**9))
    weights = {member: draw(weight) for member in members}
    if positive and not sum(weights.values()):
        weights[draw(st.sampled_from(members))] = draw(st.integers(min_value=1, max_value=10**9))
    return members, weights


def _allocate_or_refusal(total, key, members, weights):
    try:
        return allocate(total=total, key=key, members=members, weights=weights).parts
    except ValueError as error:
        return str(error)


@given(total=st.integers(min_value=0, max_value=10**12), key=st.sampled_from((*WEIGHTED_KEYS, Key.EQUAL)),
       drawn=members_and_weights())
def test_allocate_with_any_key_sums_exactly_never_negative_or_refuses_zero_weights(total, key, drawn):
    members, weights = drawn
    if key in WEIGHTED_KEYS and not sum(weights.values()):
        # The documented refusal (the module's docstring): nothing to split by, whatever the total.
        with pytest.raises(ValueError, match="The weights add up to zero"):
            allocate(total=total, key=key, members=members, weights=weights)
        return
    allocation = allocate(total=total, key=key, members=members, weights=weights)
    assert set(allocation.parts) == set(members)
    assert sum(allocation.parts.values()) == total
    assert all(isinstance(part, int) and part >= 0 for part in allocation.parts.values())
    # A member with no weight gets nothing by a weighted key.
    if key in WEIGHTED_KEYS:
        assert all(allocation.parts[member] == 0 for member in members if not weights[member])


@given(total=st.integers(min_value=0, max_value=10**12), key=st.sampled_from((*WEIGHTED_KEYS, Key.EQUAL)),
       drawn=members_and_weights(), data=st.data())
def test_allocate_gives_each_member_the_same_part_in_any_order(total, key, drawn, data):
    members, weights = drawn
    order = data.draw(st.permutations(members))
    weight_order = data.draw(st.permutations(members))
    before = _allocate_or_refusal(total, key, members, weights)
    after = _allocate_or_refusal(total, key, order, {member: weights[member] for member in weight_order})
    assert after == before  # the same parts, or the same refusal


@given(total=st.integers(min_value=0, max_value=10**6), key=st.sampled_from(WEIGHTED_KEYS),
       members=st.lists(st.integers(min_value=1, max_value=999), min_size=1, max_size=20, unique=True))
def test_weights_all_zero_are_refused_by_every_weighted_key_but_equal_still_splits(total, key, members):
    zeros = {member: 0 for member in members}
    with pytest.raises(ValueError, match="The weights add up to zero"):
        allocate(total=total, key=key, members=members, weights=zeros)
    equal = allocate(total=total, key=Key.EQUAL, members=members, weights=zeros).parts
    assert sum(equal.values()) == total and max(equal.values()) - min(equal.values()) <= 1


cents_amounts = st.integers(min_value=0, max_value=10**14).map(lambda cents: Decimal(cents).scaleb(-2))


@given(amount=cents_amounts, drawn=members_and_weights(positive=True), data=st.data())
def test_split_money_sums_to_the_cent_never_negative_and_in_any_order(amount, drawn, data):
    """Louna's e-material cost shares (louna.ematerials.selectors.split_euros)."""
    members, weights = drawn
    parts = split_money(amount, weights)
    assert set(parts) == set(members)
    assert sum(parts.values()) == amount
    assert all(part >= 0 and part == part.quantize(Decimal("0.01")) for part in parts.values())
    reordered = {member: weights[member] for member in data.draw(st.permutations(members))}
    assert split_money(amount, reordered) == parts


@given(amount=cents_amounts, members=st.lists(st.integers(min_value=1, max_value=999), min_size=1, max_size=20,
                                              unique=True))
def test_split_money_refuses_weights_all_zero(amount, members):
    with pytest.raises(ValueError, match="The weights add up to zero"):
        split_money(amount, {member: 0 for member in members})


@given(amount=st.integers(min_value=0, max_value=10**9).map(lambda mills: Decimal(mills).scaleb(-3)),
       drawn=members_and_weights(positive=True))
def test_split_money_of_any_amount_adds_up_to_it_or_is_refused(amount, drawn):
    """An amount in tenths of a cent: whole cents are split exactly, anything else refused.
    (Before the fix 0.005 € was rounded to 0.00 and split as nothing: this failed.)"""
    try:
        parts = split_money(amount, drawn[1])
    except ValueError as error:
        assert "not whole cents" in str(error) and amount != amount.quantize(Decimal("0.01"))
    else:
        assert sum(parts.values()) == amount


def test_split_money_refuses_a_fraction_of_a_cent_rather_than_dropping_it():
    """0.005 € used to be rounded to 0.00 and split as nothing, so the parts did not add up
    to the amount."""
    with pytest.raises(ValueError, match="not whole cents"):
        split_money(Decimal("0.005"), {1: 1, 2: 1})
    with pytest.raises(ValueError, match="not whole cents"):
        split_money(0.1, {1: 1})  # a float's binary tail is not 0.10
    assert split_money(Decimal("10.10"), {1: 1, 2: 1}) == {1: Decimal("5.05"), 2: Decimal("5.05")}
