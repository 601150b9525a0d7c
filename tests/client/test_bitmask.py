"""BitMask against Python sets: the wire format, set algebra and bounds."""

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lightly_async import BitMask

index_sets = st.sets(st.integers(min_value=0, max_value=2_000), max_size=200)


def test_hex_matches_the_documented_example() -> None:
    assert BitMask.from_indices([0, 3, 4, 6]).to_hex() == "0x59"
    assert BitMask.from_hex("0x59").indices() == [0, 3, 4, 6]


def test_empty_mask_is_0x0() -> None:
    assert BitMask.from_indices([]).to_hex() == "0x0"
    assert BitMask.from_hex("0x0").indices() == []
    assert not BitMask()


@given(index_sets)
def test_hex_round_trip_preserves_the_set(indices: set[int]) -> None:
    mask = BitMask.from_indices(indices)
    assert set(BitMask.from_hex(mask.to_hex()).indices()) == indices
    assert mask.count() == len(indices)
    assert str(mask) == mask.to_hex() == hex(sum(1 << i for i in indices))


@given(index_sets, index_sets)
def test_set_algebra_matches_python_sets(a: set[int], b: set[int]) -> None:
    ma, mb = BitMask.from_indices(a), BitMask.from_indices(b)
    assert set((ma | mb).indices()) == a | b
    assert set((ma & mb).indices()) == a & b
    assert set((ma - mb).indices()) == a - b
    assert set(ma.difference(mb).indices()) == a - b


@given(index_sets, st.integers(min_value=0, max_value=2_100))
def test_membership_and_complement(a: set[int], probe: int) -> None:
    mask = BitMask.from_indices(a)
    assert (probe in mask) == (probe in a)
    tot = 2_001
    assert set(mask.complement(tot).indices()) == set(range(tot)) - a


@given(index_sets)
def test_indices_are_sorted(a: set[int]) -> None:
    assert BitMask.from_indices(a).indices() == sorted(a)


def test_from_indices_rejects_bits_beyond_tot_size() -> None:
    with pytest.raises(ValueError, match="tot_size"):
        BitMask.from_indices([0, 5], tot_size=5)
    assert BitMask.from_indices([0, 4], tot_size=5).fits(5)
    assert not BitMask.from_indices([7]).fits(5)


@pytest.mark.parametrize("bad", ["59", "0X59", "0x", "0xZZ", "0xAB", " 0x1", ""])
def test_from_hex_rejects_non_wire_strings(bad: str) -> None:
    with pytest.raises(ValueError, match="bit_mask_data"):
        BitMask.from_hex(bad)


def test_negative_index_is_rejected() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        BitMask.from_indices([-1])


def test_mask_is_immutable_hashable_and_picklable() -> None:
    mask = BitMask.from_indices([1, 2])
    with pytest.raises(AttributeError):
        mask._value = 3  # type: ignore[misc]
    assert {mask: 1}[BitMask.from_hex("0x6")] == 1
    assert pickle.loads(pickle.dumps(mask)) == mask
    assert repr(mask) == "BitMask('0x6', count=2)"


def test_full_holds_every_index() -> None:
    assert BitMask.full(5).indices() == [0, 1, 2, 3, 4]
    assert BitMask.full(0).to_hex() == "0x0"
