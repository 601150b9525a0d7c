"""Embedding CSV files: checked and indexed in one streaming pass, reassembled on disk.

An embedding CSV (lightly's format) has the header ``filenames,embedding_0,...,labels``:
``filenames`` first, then ``embedding_<n>`` number columns (lightly also allows ``masked``
and ``selected`` there), then ``labels``. Uploads keep only ``filenames``, the
``embedding_<n>`` columns and ``labels``, as lightly 1.5.20 does. No file is read whole:
:func:`index_csv` records where each row's bytes are (rows are found by quote parity, so a
quoted file name may hold commas or line breaks) and :func:`write_ordered` copies them, row by
row, into a new file in the dataset's sample order.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterator, Sequence
from typing import BinaryIO, Final

import attrs

from lightly_async.errors import InvalidInputError

__all__ = ["CsvIndex", "index_csv", "write_ordered"]

_EMBEDDING: Final = re.compile(r"embedding_\d+")
_SPECIAL: Final = ("masked", "selected")


@attrs.frozen
class CsvIndex:
    """Where each row of a checked embedding CSV is.

    Attributes:
        path: the file.
        header: its header's columns.
        keep: the indices of the columns uploaded (``filenames``, ``embedding_<n>``,
            ``labels``), in file order.
        rows: file name -> (line, byte offset, byte length) of its row.
        newline: the header's line ending (rows written anew end with it).
    """

    path: str
    header: list[str]
    keep: list[int]
    rows: dict[str, tuple[int, int, int]]
    newline: bytes

    @property
    def projected(self) -> bool:
        """Does uploading drop columns?"""
        return len(self.keep) != len(self.header)

    @property
    def kept_header(self) -> list[str]:
        """The header as uploaded."""
        return [self.header[i] for i in self.keep]


def index_csv(path: str | os.PathLike[str], field: str = "path") -> CsvIndex:
    """Check an embedding CSV and index its rows; every problem is an
    :class:`InvalidInputError` naming ``field``, the line and, for a value, the column."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            return _index(name, f, field)
    except OSError as exc:
        raise InvalidInputError(field, f"cannot read {name!r}: {exc.strerror or exc}") from None


def write_ordered(
    dest: str, file_names: Sequence[str], sources: Sequence[CsvIndex]
) -> None:
    """Write ``dest``: the first source's uploaded header, then, for each of ``file_names``,
    its row from the first source that has it (rows copied byte for byte unless columns are
    dropped)."""
    first = sources[0]
    files = [open(s.path, "rb") for s in sources]  # noqa: SIM115 - closed below
    try:
        with open(dest, "wb") as out:
            out.write(_line(first.kept_header, first.newline))
            for file_name in file_names:
                for source, f in zip(sources, files, strict=True):
                    where = source.rows.get(file_name)
                    if where is None:
                        continue
                    _, offset, length = where
                    f.seek(offset)
                    raw = f.read(length)
                    if source.projected:
                        row = _parse(raw.decode("utf-8"))
                        raw = _line([row[i] for i in source.keep], first.newline)
                    elif not raw.endswith(b"\n"):
                        raw += first.newline
                    out.write(raw)
                    break
    finally:
        for f in files:
            f.close()


def _index(name: str, f: BinaryIO, field: str) -> CsvIndex:
    records = _records(f)
    first = next(records, None)
    if first is None:
        raise InvalidInputError(field, f"{name!r} is empty: an embedding CSV starts with the "
                                       "header filenames,embedding_0,...,labels")
    _, _, _, raw = first
    header = _parse(_decode(raw, 1, field), 1, field)
    newline = b"\r\n" if raw.endswith(b"\r\n") else b"\n"
    keep = _check_header(header, field)
    embedding_columns = [i for i in keep if _EMBEDDING.fullmatch(header[i])]
    rows: dict[str, tuple[int, int, int]] = {}
    for line, offset, length, raw in records:
        text = _decode(raw, line, field)
        if not text.strip("\r\n"):
            raise InvalidInputError(field, f"line {line} is empty (an embedding CSV has no "
                                           "empty rows)")
        row = _parse(text, line, field)
        if len(row) != len(header):
            raise InvalidInputError(field, f"line {line} has {len(row)} values, the header "
                                           f"{len(header)} columns")
        file_name = row[0]
        if not file_name:
            raise InvalidInputError(field, f"line {line}, column 'filenames': empty file name")
        if file_name in rows:
            raise InvalidInputError(field, f"line {line}, column 'filenames': {file_name!r} "
                                           f"also on line {rows[file_name][0]}")
        for i in embedding_columns:
            if not _is_number(row[i]):
                raise InvalidInputError(field, f"line {line}, column {header[i]!r}: "
                                               f"{row[i]!r:.40} is not a finite number")
        rows[file_name] = (line, offset, length)
    if not rows:
        raise InvalidInputError(field, f"{name!r} has a header but no rows")
    return CsvIndex(name, header, keep, rows, newline)


def _check_header(header: list[str], field: str) -> list[int]:
    where = "line 1 (the header)"
    for column in header:
        if column != column.strip():
            raise InvalidInputError(field, f"{where}: column {column!r} has white space")
    if not header or header[0] != "filenames":
        first = header[0] if header else ""
        raise InvalidInputError(field, f"{where}: the first column must be 'filenames', not "
                                       f"{first!r}")
    if len(set(header)) != len(header):
        twice = sorted({c for c in header if header.count(c) > 1})
        raise InvalidInputError(field, f"{where}: columns {twice} appear twice")
    if "labels" not in header:
        raise InvalidInputError(field, f"{where}: there is no 'labels' column")
    labels = header.index("labels")
    between = header[1:labels]
    for column in between:
        if not _EMBEDDING.fullmatch(column) and column not in _SPECIAL:
            raise InvalidInputError(field, f"{where}: column {column!r} is not embedding_<n> "
                                           "(columns between 'filenames' and 'labels' are)")
    if not any(_EMBEDDING.fullmatch(c) for c in between):
        raise InvalidInputError(field, f"{where}: there is no embedding_<n> column")
    return [i for i, c in enumerate(header)
            if i == 0 or c == "labels" or (i < labels and _EMBEDDING.fullmatch(c))]


def _records(f: BinaryIO) -> Iterator[tuple[int, int, int, bytes]]:
    """(first line number, offset, length, bytes) of each CSV record: physical lines joined
    while a quoted field is open (an odd number of quotes so far)."""
    offset = 0
    start_line, start, quotes = 0, 0, 0
    parts: list[bytes] = []
    for line, raw in enumerate(f, start=1):
        if not parts:
            start_line, start = line, offset
        parts.append(raw)
        quotes += raw.count(b'"')
        offset += len(raw)
        if quotes % 2 == 0:
            record = b"".join(parts)
            yield start_line, start, len(record), record
            parts, quotes = [], 0
    if parts:  # an unclosed quote: parsed as is, which reports the row's problem
        record = b"".join(parts)
        yield start_line, start, len(record), record


def _decode(raw: bytes, line: int, field: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(field, f"line {line} is not UTF-8 text") from None


def _parse(text: str, line: int = 0, field: str = "path") -> list[str]:
    try:
        return next(csv.reader([text.rstrip("\r\n")]), [])
    except csv.Error as exc:
        raise InvalidInputError(field, f"line {line} is not valid CSV: {exc}") from None


def _line(values: list[str], newline: bytes) -> bytes:
    class _Out:
        text = ""

        def write(self, s: str) -> None:
            self.text += s

    out = _Out()
    csv.writer(out, lineterminator=newline.decode()).writerow(values)
    return out.text.encode("utf-8")


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False
