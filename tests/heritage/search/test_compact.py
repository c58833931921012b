"""The narrow encodings of the saved search arrays give back exactly what was put in."""

from __future__ import annotations

import numpy as np
import pytest

from heritage.search.compact import (
    MASK_POSITIONS,
    narrowed,
    narrowed_weights,
    positions_of_masks,
    smallest_uint,
)
from heritage.search.evaluate import POSITION_OVERFLOW
from heritage.search.fulltext import PAGE_GAP


@pytest.mark.parametrize(
    ("largest", "kind"),
    [(0, np.uint8), (255, np.uint8), (256, np.uint16), (65535, np.uint16), (65536, np.uint32), (2**32, np.uint64)],
)
def test_the_smallest_type_holds_the_largest_value(largest: int, kind: type) -> None:
    assert smallest_uint(largest) is kind


def test_a_negative_value_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="-3 is negative"):
        narrowed(np.asarray([4, -3, 7]))


@pytest.mark.parametrize(
    "values",
    [[], [0], [255], [3, 300], [70_000, 1], [PAGE_GAP * 400 + 12, 0]],
)
def test_narrowed_values_are_the_same_numbers(values: list[int]) -> None:
    array = np.asarray(values, dtype=np.int64)
    out = narrowed(array)
    assert np.array_equal(out.astype(np.int64), array)
    assert out.dtype.itemsize <= 4 or not len(values)


def test_whole_weights_become_small_integers_and_others_stay_floats() -> None:
    assert narrowed_weights(np.asarray([1.0, 2.0, 40.0], dtype=np.float32)).dtype == np.uint8
    assert narrowed_weights(np.asarray([1.0, 300.0], dtype=np.float32)).dtype == np.uint16
    fractional = np.asarray([1.0, 1.5], dtype=np.float32)
    assert np.array_equal(narrowed_weights(fractional), fractional)
    assert narrowed_weights(np.zeros(0, dtype=np.float32)).dtype == np.uint8


def _mask(positions: list[int]) -> np.uint64:
    bits = 0
    for p in positions:
        bits |= 1 << p if p < MASK_POSITIONS else int(POSITION_OVERFLOW)
    return np.uint64(bits)


def test_masks_give_their_positions_back_in_row_then_position_order() -> None:
    rows = [[0], [62], [3, 1, 0], [5, 63, 900], []]  # one, the largest kept, several, beyond the mask, none
    masks = np.asarray([_mask(r) for r in rows], dtype=np.uint64)
    got_rows, got = positions_of_masks(masks)
    expected = [(i, p) for i, r in enumerate(rows) for p in sorted(r) if p < MASK_POSITIONS]
    assert list(zip(got_rows.tolist(), got.tolist(), strict=True)) == expected


def test_no_masks_no_positions() -> None:
    rows, positions = positions_of_masks(np.zeros(0, dtype=np.uint64))
    assert len(rows) == 0 and len(positions) == 0


def test_masks_of_any_positions_give_them_all_back() -> None:
    """Random masks, from none to all 63 low positions set, against a bit-by-bit reading."""
    rng = np.random.default_rng(7)
    masks = rng.integers(0, 2**63, size=2000, dtype=np.uint64, endpoint=False)
    masks[::7] &= rng.integers(0, 2**63, size=len(masks[::7]), dtype=np.uint64)  # sparser ones
    masks[::11] = 0
    masks[5] = np.uint64(2**63 - 1)  # every kept position
    masks[6] = POSITION_OVERFLOW | np.uint64(1 << 62)
    expected = [(i, p) for i, m in enumerate(masks.tolist()) for p in range(MASK_POSITIONS) if m >> p & 1]
    got_rows, got = positions_of_masks(masks)
    assert list(zip(got_rows.tolist(), got.tolist(), strict=True)) == expected
