"""BitMask: an immutable, int-backed set of sample indices.

The Lightly API encodes a tag's samples as a hex string ``0x…``: bit *i* (least significant
bit = 0) is set when the sample at index *i* of the dataset's sample order is in the tag.
The empty set is ``0x0``; there is no zero padding (Python's ``hex(int)``).

All conversions are linear in the number of bits (one ``int`` parse or format plus a scan of
its bytes), never quadratic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

__all__ = ["BitMask"]

_HEX_RE: Final = re.compile(r"^0x[a-f0-9]+$")


class BitMask:
    """An immutable set of sample indices, stored as one Python ``int``.

    Build one with :meth:`from_hex`, :meth:`from_indices`, :meth:`full` or
    ``BitMask(value)``. ``str(mask)`` is its wire (hex) form.
    """

    __slots__ = ("_value",)

    _value: int

    def __init__(self, value: int = 0) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"BitMask value must be an int, not {type(value).__name__}")
        if value < 0:
            raise ValueError("BitMask value must be >= 0")
        object.__setattr__(self, "_value", value)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_hex(cls, hex_string: str) -> BitMask:
        """Parse the API's ``0x…`` form (lowercase hex, as ``TagBitMaskData`` requires)."""
        if not isinstance(hex_string, str) or not _HEX_RE.fullmatch(hex_string):
            raise ValueError(f"bit_mask_data must match '^0x[a-f0-9]+$', got {hex_string!r}")
        return cls(int(hex_string, 16))

    @classmethod
    def from_indices(cls, indices: Iterable[int], tot_size: int | None = None) -> BitMask:
        """Build a mask from sample indices; with ``tot_size`` every index must be below it."""
        if tot_size is not None and tot_size < 0:
            raise ValueError("tot_size must be >= 0")
        idx = sorted(set(indices))
        if idx and idx[0] < 0:
            raise ValueError(f"indices must be >= 0, got {idx[0]}")
        if tot_size is not None and idx and idx[-1] >= tot_size:
            raise ValueError(f"index {idx[-1]} is beyond tot_size={tot_size}")
        if not idx:
            return cls(0)
        buf = bytearray((idx[-1] >> 3) + 1)
        for i in idx:
            buf[i >> 3] |= 1 << (i & 7)
        return cls(int.from_bytes(buf, "little"))

    @classmethod
    def full(cls, tot_size: int) -> BitMask:
        """The mask holding every index ``0 … tot_size-1``."""
        if tot_size < 0:
            raise ValueError("tot_size must be >= 0")
        return cls((1 << tot_size) - 1)

    # -- conversion ---------------------------------------------------------------------------
    def to_hex(self) -> str:
        """The wire form: ``hex(int)``, e.g. ``0x59`` for indices [0, 3, 4, 6]."""
        return hex(self._value)

    def to_int(self) -> int:
        """The mask as a plain non-negative integer."""
        return self._value

    def indices(self) -> list[int]:
        """The set indices in ascending order."""
        value = self._value
        if not value:
            return []
        data = value.to_bytes((value.bit_length() + 7) >> 3, "little")
        out: list[int] = []
        append = out.append
        for byte_index, byte in enumerate(data):
            if byte:
                base = byte_index << 3
                for bit in _BYTE_BITS[byte]:
                    append(base + bit)
        return out

    def count(self) -> int:
        """How many indices are set."""
        return self._value.bit_count()

    def fits(self, tot_size: int) -> bool:
        """True when no bit at or beyond ``tot_size`` is set."""
        return self._value.bit_length() <= tot_size

    def complement(self, tot_size: int) -> BitMask:
        """Every index below ``tot_size`` that is not in this mask."""
        return BitMask(((1 << tot_size) - 1) & ~self._value)

    # -- set protocol -------------------------------------------------------------------------
    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int) or index < 0:
            return False
        return bool((self._value >> index) & 1)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices())

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return self._value != 0

    def __or__(self, other: BitMask) -> BitMask:
        if not isinstance(other, BitMask):
            return NotImplemented
        return BitMask(self._value | other._value)

    def __and__(self, other: BitMask) -> BitMask:
        if not isinstance(other, BitMask):
            return NotImplemented
        return BitMask(self._value & other._value)

    def __sub__(self, other: BitMask) -> BitMask:
        if not isinstance(other, BitMask):
            return NotImplemented
        return BitMask(self._value & ~other._value)

    def __xor__(self, other: BitMask) -> BitMask:
        if not isinstance(other, BitMask):
            return NotImplemented
        return BitMask(self._value ^ other._value)

    def union(self, other: BitMask) -> BitMask:
        """Indices in either mask (``UNION``)."""
        return self | other

    def intersection(self, other: BitMask) -> BitMask:
        """Indices in both masks (``INTERSECTION``)."""
        return self & other

    def difference(self, other: BitMask) -> BitMask:
        """Indices in this mask but not in ``other`` (``DIFFERENCE``: ``a & ~b``)."""
        return self - other

    # -- value semantics ----------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, BitMask):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("BitMask", self._value))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BitMask is immutable")

    def __str__(self) -> str:
        return self.to_hex()

    def __repr__(self) -> str:
        return f"BitMask({self.to_hex()!r}, count={self.count()})"

    def __reduce__(self) -> tuple[type[BitMask], tuple[int]]:
        return (BitMask, (self._value,))


_BYTE_BITS: Final[tuple[tuple[int, ...], ...]] = tuple(
    tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)
)
