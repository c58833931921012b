"""Narrow encodings for the arrays the facet store saves beside each segment (issue 22: a smaller index).

Most saved numbers are small (value ordinals of a facet with a few dozen values, term frequencies, positions
of a word in a record), so each array is saved in the smallest unsigned type that holds its largest value,
and the positions below 63 of a word in a document are kept only as the bits of one 64-bit mask.
"""

from __future__ import annotations

import numpy as np

MASK_POSITIONS = 63  # positions 0-62 are the low bits of a mask; bit 63 says the word also occurs further on
_UNSIGNED = (np.uint8, np.uint16, np.uint32, np.uint64)


def smallest_uint(largest: int) -> type[np.unsignedinteger]:
    """The narrowest unsigned integer type holding 0..`largest`.

    Raises: ValueError: `largest` is negative (no unsigned type holds it).
    """
    if largest < 0:
        raise ValueError(f"{largest} is negative: no unsigned type holds it")
    for kind in _UNSIGNED:
        if largest <= np.iinfo(kind).max:
            return kind
    raise ValueError(f"{largest} does not fit 64 bits")


def narrowed(values: np.ndarray) -> np.ndarray:
    """`values` (non-negative integers) in the smallest unsigned type that holds them all.

    Raises: ValueError: a value is negative.
    """
    if not len(values):
        return values.astype(np.uint8)
    low = int(values.min())
    if low < 0:
        raise ValueError(f"{low} is negative: no unsigned type holds it")
    return values.astype(smallest_uint(int(values.max())), copy=False)


def narrowed_weights(weights: np.ndarray) -> np.ndarray:
    """Term weights as small unsigned integers where they are whole numbers (frequencies, as every field
    without a boost has), else as they are."""
    if len(weights) and (weights.min() < 0 or not np.array_equal(weights, np.rint(weights))):
        return weights.astype(np.float32)
    return narrowed(weights.astype(np.uint64))


def positions_of_masks(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, position) of every position a row's mask holds (bits 0-62), in row then position order.

    The lowest set bit of every mask is taken at once, again and again, so the work follows the positions
    a word has (a few a record) rather than all 63 bits of every candidate: a common phrase word's masks
    were unpacked to 64 bytes each, a third of the phrase's time at a million records."""
    low = np.ascontiguousarray(masks, dtype=np.uint64) & np.uint64((1 << MASK_POSITIONS) - 1)
    rows = np.flatnonzero(low)
    low = low[rows]
    found_rows: list[np.ndarray] = []
    found_positions: list[np.ndarray] = []
    while len(rows):
        lowest = low & (~low + np.uint64(1))  # the lowest set bit (two's complement)
        found_rows.append(rows)
        found_positions.append(np.frexp(lowest.astype(np.float64))[1] - 1)  # a power of two is exact
        low ^= lowest
        left = low != 0
        rows, low = rows[left], low[left]
    if not found_rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    all_rows = np.concatenate(found_rows)
    order = np.argsort(all_rows, kind="stable")  # each row's positions were found in rising order
    return all_rows[order].astype(np.int64), np.concatenate(found_positions)[order].astype(np.int64)
