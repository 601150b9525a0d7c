"""The API commands of ``lightly-async``: each parses nothing, runs one async workflow on a
session built from the environment, and returns the exit status."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final, TypeVar

import anyio

if TYPE_CHECKING:
    import lightly_async as la
    from lightly_async.progress import ProgressArg, ProgressCallback

__all__ = ["UsageError", "download", "predictions_upload", "raw_list", "shown", "tags_export",
           "tags_list", "write_atomically"]

T = TypeVar("T")


class UsageError(Exception):
    """Bad input the command found before sending anything (exit status 2)."""


# -- tags --------------------------------------------------------------------------------------
def tags_list(args: argparse.Namespace) -> int:
    async def run(ds: la.Dataset) -> None:
        tags = await ds.tags.list()
        if args.json:
            _print_json([_wire(tag) for tag in tags])
            return
        rows = [(shown(tag.name, sys.stdout), tag.id, str(tag.bit_mask_data.count()))
                for tag in sorted(tags, key=lambda t: t.created_at)]
        _print_table(("NAME", "ID", "SAMPLES"), rows, right=(2,))

    return _run(args, run)


def tags_export(args: argparse.Namespace) -> int:
    async def run(ds: la.Dataset) -> None:
        tag = await ds.tags.get_by_name(args.tag)
        if args.format == "labelstudio":
            rows: list[Any] = await ds.tags.export_label_studio(tag.id, expires_in=args.expires_in)
        elif args.format == "labelbox-v4":
            rows = await ds.tags.export_label_box_v4(tag.id, expires_in=args.expires_in)
        else:
            if ds.session.api != "seed":
                print("lightly-async: note: the LabelBox v3 export is deprecated by the "
                      "Lightly API; --format labelbox-v4 is its successor", file=sys.stderr)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                pager = ds.tags.export_label_box(tag.id, expires_in=args.expires_in)
            rows = await pager
        text = json.dumps([_wire(row) for row in rows], indent=2) + "\n"
        if args.output is None:
            sys.stdout.write(text)
        else:
            await anyio.to_thread.run_sync(write_atomically, Path(args.output), text)
            print(f"{len(rows)} {args.format} rows written to {args.output}", file=sys.stderr)

    return _run(args, run)


# -- download ----------------------------------------------------------------------------------
def download(args: argparse.Namespace) -> int:
    """Every file of the tag into DIR, grouped by sub-directory, under one progress bar."""
    async def run(ds: la.Dataset) -> int:
        tag = await ds.tags.get_by_name(args.tag)
        names = await ds.tags.filenames(tag.id)
        root = Path(args.dir)
        failed: dict[str, BaseException] = {}  # by file name, as the server named it
        relative: dict[str, PurePosixPath] = {}
        for name in names:  # a bad name from the server fails that file, not the run
            try:
                relative[name] = _safe_relative(name)
            except UnsafeNameError as exc:
                failed[name] = exc
        by_name = await _sample_ids_by_name(ds, list(relative), args.concurrency, failed)
        targets = {by_name[name]: relative[name] for name in relative if name in by_name}
        groups: dict[PurePosixPath, dict[str, str]] = {}
        for sid, rel in targets.items():
            groups.setdefault(rel.parent, {})[sid] = rel.name
        done = skipped = 0
        async with _progress(args, len(names), "downloads") as bar:
            bar.advance(len(names) - len(targets))  # failed before any download
            for parent, files in groups.items():
                directory = root / parent
                try:
                    await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
                except OSError as exc:  # this directory's files fail; the others go on
                    failed.update({str(targets[sid]): exc for sid in files})
                    bar.advance(len(files))
                    continue
                result = await ds.samples.download(
                    files, directory, if_exists=args.if_exists, concurrency=args.concurrency,
                    progress=bar)
                bar.advance(len(result.skipped))  # left alone: done, without a request
                done += len(result.succeeded)
                skipped += len(result.skipped)
                failed.update({str(targets[sid]): error for sid, error in result.failed.items()})
        _print_failures(failed)
        if any(isinstance(error, FileExistsError) for error in failed.values()):
            print("files already there were left alone: pass --if-exists skip (resume) or "
                  "--if-exists overwrite", file=sys.stderr)
        print(f"{done} downloaded, {skipped} skipped (already there), {len(failed)} failed "
              f"into {shown(str(root), sys.stdout)}")
        return 1 if failed else 0

    return _run(args, run)


class UnsafeNameError(ValueError):
    """A file name from the server that would be written outside the directory."""


class SampleLookupError(LookupError):
    """No sample, or several, carry a file name of the tag."""


async def _sample_ids_by_name(ds: la.Dataset, names: list[str], concurrency: int | None,
                              failed: dict[str, BaseException]) -> dict[str, str]:
    """Each file's sample id, by the seed API's exact ``filename`` filter (one request per
    file, concurrently: the 2021 samples carry no file name to match a full listing by).
    A name whose lookup fails, or finds no sample or several, goes to ``failed``."""
    from functools import partial

    from lightly_async.bulk import run_bulk

    async def lookup(name: str) -> list[str]:
        return [s.id for s in await ds.samples.list(mode="ids", filename=name)]

    result = await run_bulk(ds.session, [(name, partial(lookup, name)) for name in names],
                            concurrency=concurrency, progress=False,
                            description="sample lookups")
    failed.update(result.failed)
    failed.update({name: SampleLookupError("the lookup was not attempted")
                   for name in result.not_attempted})
    ids: dict[str, str] = {}
    for name, found in result.results.items():
        if len(found) != 1:
            failed[name] = SampleLookupError(
                f"{len(found)} samples carry this file name, want exactly 1")
        else:
            ids[name] = found[0]
    return ids


# -- raw files ---------------------------------------------------------------------------------
def raw_list(args: argparse.Namespace) -> int:
    if args.new and (args.from_ is not None or args.to is not None):
        raise UsageError("--new lists from the bookmark to now: it takes no --from/--to")

    async def run(ds: la.Dataset) -> None:
        if args.new:
            async with ds.datasource.new_raw_samples() as batch:
                async for row in batch:
                    _print_row(row, args.json)
                sys.stdout.flush()  # a broken pipe fails here, before the bookmark moves
                if batch.rows_seen == 0:
                    print("no new files since the last --new run", file=sys.stderr)
            return
        async for row in ds.datasource.list_raw_samples(from_=args.from_, to=args.to):
            _print_row(row, args.json)

    return _run(args, run)


def _print_row(row: Any, as_json: bool) -> None:
    print(json.dumps(_wire(row)) if as_json else shown(row.file_name, sys.stdout))


# -- predictions -------------------------------------------------------------------------------
def predictions_upload(args: argparse.Namespace) -> int:
    source = Path(args.file)
    lines, predictions = _read_predictions(source)
    failed_out = Path(args.failed_out) if args.failed_out else source.with_name(
        source.name.removesuffix(".jsonl") + ".failed.jsonl")

    async def run(ds: la.Dataset) -> int:
        from functools import partial

        from lightly_async.bulk import run_bulk

        stored: set[str] = set()  # answered 2xx: known to be on the server

        async def upsert(sample_id: str) -> Any:
            response = await ds.predictions.upsert(
                sample_id, predictions[sample_id],
                prediction_uuid_timestamp=args.prediction_version)
            stored.add(sample_id)
            return response

        try:
            async with _progress(args, len(predictions), "predictions") as bar:
                result = await run_bulk(
                    ds.session, [(sid, partial(upsert, sid)) for sid in predictions],
                    concurrency=args.concurrency, progress=bar, description="predictions")
        except BaseException:  # Ctrl-C (or a crash): say what is done, keep the rest
            unfinished = [sid for sid in predictions if sid not in stored]
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    write_atomically, failed_out, "".join(lines[sid] for sid in unfinished))
            print(f"interrupted: {len(stored)} stored, {len(unfinished)} not done; their "
                  f"lines were written to {failed_out}: re-run with that file",
                  file=sys.stderr)
            raise
        print(result)
        unfinished = [*result.failed, *result.not_attempted]
        _print_failures(result.failed)
        if unfinished:
            await anyio.to_thread.run_sync(
                write_atomically, failed_out, "".join(lines[sid] for sid in unfinished))
            print(f"{len(unfinished)} failed lines written to {failed_out}; re-run with that "
                  "file", file=sys.stderr)
            return 1
        return 0

    return _run(args, run)


def _read_predictions(source: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Parse and decode every line before anything is sent; a bad line is a UsageError."""
    from lightly_async._convert import get_converter
    from lightly_async._validate import object_id
    from lightly_async.errors import InvalidInputError
    from lightly_async.models import PredictionSingleton
    from lightly_async.resources.predictions import check_singletons

    converter = get_converter(strict=True)  # a misspelt key is an error, not ignored
    try:
        text = source.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    lines: dict[str, str] = {}
    predictions: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"{where}: not JSON: {exc}") from None
        misspelt = _snake_case_key(item)
        if misspelt is not None:
            raise UsageError(f"{where}: {misspelt}")
        if not (isinstance(item, dict) and set(item) == {"sampleId", "predictions"}):
            raise UsageError(f'{where}: want {{"sampleId": ..., "predictions": [...]}}, got '
                             f"{line.strip()[:80]}")
        sample_id = item["sampleId"]
        if not isinstance(sample_id, str):
            raise UsageError(f"{where}: sampleId must be a string")
        if sample_id in first_line:
            raise UsageError(f"{where}: sample {sample_id} is also on line "
                             f"{first_line[sample_id]}; put all its predictions on one line")
        try:
            singletons = converter.structure(item["predictions"], list[PredictionSingleton])
        except Exception as exc:  # cattrs raises many types; all mean "not the format"
            raise UsageError(f"{where}: predictions are not in the API's format: "
                             f"{_decode_detail(exc)}") from None
        try:  # what upsert_many checks before sending anything, checked here for each line
            object_id("sampleId", sample_id)
            check_singletons(singletons, field="predictions")
        except InvalidInputError as exc:
            raise UsageError(f"{where}: {exc}") from None
        first_line[sample_id] = number
        lines[sample_id] = line if line.endswith("\n") else line + "\n"
        predictions[sample_id] = singletons
    if not predictions:
        raise UsageError(f"{source} holds no predictions")
    return lines, predictions


def _snake_case_key(item: Any) -> str | None:
    """What is wrong, if the line spells a key of the API's format in snake_case."""
    if not isinstance(item, dict):
        return None
    if "sample_id" in item:
        return 'key "sample_id" is spelt "sampleId" in the API\'s format'
    singletons = item.get("predictions")
    for i, singleton in enumerate(singletons if isinstance(singletons, list) else []):
        for key in singleton if isinstance(singleton, dict) else ():
            wire = _camel(key)
            if wire != key and wire in _prediction_keys():
                return (f'predictions[{i}]: key "{key}" is spelt "{wire}" in the API\'s '
                        "format")
    return None


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _prediction_keys() -> set[str]:
    """Every JSON key of every prediction singleton type."""
    import typing

    import attrs

    from lightly_async._convert import wire_name
    from lightly_async.models import PredictionSingleton

    return {wire_name(a) for cls in typing.get_args(PredictionSingleton) if attrs.has(cls)
            for a in attrs.fields(cls)}


def _decode_detail(exc: Exception) -> str:
    import cattrs

    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc))
    return f"{type(exc).__name__}: {exc}"


# -- helpers -----------------------------------------------------------------------------------
def _run(args: argparse.Namespace, body: Callable[[la.Dataset], Awaitable[T]]) -> int:
    """Run ``body`` with a session from the environment and the ``--dataset`` handle."""
    import lightly_async as la

    async def main() -> T:
        async with la.LightlySession(api=args.api) as session:
            return await body(session.dataset(args.dataset))

    status = anyio.run(main)
    return status if isinstance(status, int) else 0


@asynccontextmanager
async def _progress(args: argparse.Namespace, total: int, description: str
                    ) -> AsyncIterator[ProgressCallback]:
    """One bar for the whole command (downloads run in several bulk calls)."""
    from lightly_async.progress import LineProgress, open_progress

    arg: ProgressArg = False if args.no_progress else None
    if arg is None and _stderr_is_tty() and not _has_tqdm():
        arg = LineProgress()
    with open_progress(arg, total=total, description=description) as sink:
        yield _Forward(sink)


class _Forward:
    """Passes on the bulk calls' advances; the command itself starts and closes the bar."""

    def __init__(self, sink: ProgressCallback) -> None:
        self._sink = sink

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int) -> None:
        self._sink.advance(n)

    def close(self) -> None:
        pass


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name
            or "\0" in name):
        raise UnsafeNameError("refusing to write a file with this name outside the directory")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file beside it, synced,
    then renamed over it (a full disk leaves the old file, or none, never half a line)."""
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, text.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def shown(text: str, stream: Any) -> str:
    """``text`` as it may appear on ``stream``: on a terminal, control characters (an escape
    sequence that retitles or clears it, a bidi override) are shown escaped (``\\x1b``);
    elsewhere (a pipe, a file) the text is left as it is."""
    if not _is_terminal(stream):
        return text
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: C0 and C1 controls, DEL, bidi and zero-width format characters, line/paragraph separators,
#: surrogates: nothing a name should make a terminal do.
_CONTROL: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff]")


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _print_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]],
                 right: tuple[int, ...] = ()) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())


def _wire(model: Any) -> Any:
    from lightly_async._convert import get_converter

    return get_converter().unstructure(model)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _print_failures(failed: dict[str, BaseException], limit: int = 10) -> None:
    for key, error in list(failed.items())[:limit]:
        message = " ".join(str(error).split())
        print(shown(f"{key}: {type(error).__name__}: {message}", sys.stderr), file=sys.stderr)
    if len(failed) > limit:
        print(f"... and {len(failed) - limit} more failures", file=sys.stderr)


def _has_tqdm() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None


def _stderr_is_tty() -> bool:
    try:
        return os.isatty(sys.stderr.fileno())
    except (AttributeError, ValueError, OSError):
        return False
