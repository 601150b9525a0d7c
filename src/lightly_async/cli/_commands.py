"""The API commands of ``lightly-async``: each parses nothing, runs one async workflow on a
session built from the environment, and returns the exit status."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

if TYPE_CHECKING:
    import lightly_async as la
    from lightly_async.progress import ProgressArg, ProgressCallback

__all__ = ["UsageError", "download", "predictions_upload", "raw_list", "tags_export", "tags_list"]

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
        for tag in sorted(tags, key=lambda t: t.created_at):
            print(f"{tag.name}\t{tag.id}\t{tag.bit_mask_data.count()}")

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
            await anyio.Path(args.output).write_text(text)
            print(f"{len(rows)} {args.format} rows written to {args.output}", file=sys.stderr)

    return _run(args, run)


# -- download ----------------------------------------------------------------------------------
def download(args: argparse.Namespace) -> int:
    """Every file of the tag into DIR, grouped by sub-directory, under one progress bar."""
    async def run(ds: la.Dataset) -> int:
        tag = await ds.tags.get_by_name(args.tag)
        names = await ds.tags.filenames(tag.id)
        relative = {name: _safe_relative(name) for name in names}  # before any download
        root = Path(args.dir)
        by_name = await _sample_ids_by_name(ds, names, args.concurrency)
        targets = {by_name[name]: relative[name] for name in names}
        groups: dict[PurePosixPath, dict[str, str]] = {}
        for sid, rel in targets.items():
            groups.setdefault(rel.parent, {})[sid] = rel.name
        failed: dict[str, BaseException] = {}
        done = skipped = 0
        async with _progress(args, len(targets), "downloads") as bar:
            for parent, files in groups.items():
                directory = root / parent
                await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
                result = await ds.samples.download(
                    files, directory, if_exists=args.if_exists, concurrency=args.concurrency,
                    progress=bar)
                bar.advance(len(result.skipped))  # left alone: done, without a request
                done += len(result.succeeded)
                skipped += len(result.skipped)
                failed.update(result.failed)
        _print_failures({str(targets[sid]): error for sid, error in failed.items()})
        if any(isinstance(error, FileExistsError) for error in failed.values()):
            print("files already there were left alone: pass --if-exists skip (resume) or "
                  "--if-exists overwrite", file=sys.stderr)
        print(f"{done} downloaded, {skipped} skipped (already there), {len(failed)} failed "
              f"into {root}")
        return 1 if failed else 0

    return _run(args, run)


async def _sample_ids_by_name(ds: la.Dataset, names: list[str], concurrency: int | None
                              ) -> dict[str, str]:
    """Each file's sample id, by the seed API's exact ``filename`` filter (one request per
    file, concurrently: the 2021 samples carry no file name to match a full listing by)."""
    from functools import partial

    from lightly_async.bulk import run_bulk

    async def lookup(name: str) -> list[str]:
        return [s.id for s in await ds.samples.list(mode="ids", filename=name)]

    result = await run_bulk(ds.session, ((name, partial(lookup, name)) for name in names),
                            concurrency=concurrency, progress=False,
                            description="sample lookups")
    result.raise_for_failures()
    ids: dict[str, str] = {}
    for name, found in result.results.items():
        if len(found) != 1:
            raise UsageError(f"{len(found)} samples are named {name!r}, want exactly 1")
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
            return
        async for row in ds.datasource.list_raw_samples(from_=args.from_, to=args.to):
            _print_row(row, args.json)

    return _run(args, run)


def _print_row(row: Any, as_json: bool) -> None:
    print(json.dumps(_wire(row)) if as_json else row.file_name)


# -- predictions -------------------------------------------------------------------------------
def predictions_upload(args: argparse.Namespace) -> int:
    source = Path(args.file)
    lines, predictions = _read_predictions(source)
    failed_out = Path(args.failed_out) if args.failed_out else source.with_name(
        source.name.removesuffix(".jsonl") + ".failed.jsonl")

    async def run(ds: la.Dataset) -> int:
        async with _progress(args, len(predictions), "predictions") as bar:
            result = await ds.predictions.upsert_many(
                predictions, prediction_uuid_timestamp=args.prediction_version,
                concurrency=args.concurrency, progress=bar)
        print(result)
        unfinished = [*result.failed, *result.not_attempted]
        _print_failures(result.failed)
        if unfinished:
            await anyio.Path(failed_out).write_text("".join(lines[sid] for sid in unfinished))
            print(f"{len(unfinished)} failed lines written to {failed_out}; re-run with that "
                  "file", file=sys.stderr)
            return 1
        return 0

    return _run(args, run)


def _read_predictions(source: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Parse and decode every line before anything is sent; a bad line is a UsageError."""
    from lightly_async._convert import get_converter
    from lightly_async.models import PredictionSingleton

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
        first_line[sample_id] = number
        lines[sample_id] = line if line.endswith("\n") else line + "\n"
        predictions[sample_id] = singletons
    if not predictions:
        raise UsageError(f"{source} holds no predictions")
    return lines, predictions


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
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise UsageError(f"refusing to write a file named {name!r} outside the directory")
    return path


def _wire(model: Any) -> Any:
    from lightly_async._convert import get_converter

    return get_converter().unstructure(model)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _print_failures(failed: dict[str, BaseException], shown: int = 10) -> None:
    for key, error in list(failed.items())[:shown]:
        print(f"{key}: {type(error).__name__}: {' '.join(str(error).split())}", file=sys.stderr)
    if len(failed) > shown:
        print(f"... and {len(failed) - shown} more failures", file=sys.stderr)


def _has_tqdm() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None


def _stderr_is_tty() -> bool:
    try:
        return os.isatty(sys.stderr.fileno())
    except (AttributeError, ValueError, OSError):
        return False
