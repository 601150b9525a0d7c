"""The Lightly Worker commands of ``lightly-async``: ``worker register|list|delete`` and
``runs schedule|watch|artifacts``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from lightly_async.cli._commands import UsageError, _print_failures, _stderr_is_tty

if TYPE_CHECKING:
    import lightly_async as la
    from lightly_async.resources.runs import RunInfo

__all__ = ["add_parsers"]

T = TypeVar("T")
CONFIG_SECTIONS = ("worker", "lightly", "selection")


def add_parsers(commands: Any, group: Callable[[Any, str, str], Any],
                dataset_option: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``worker`` and ``runs`` command groups."""
    worker = group(commands, "worker", "register, list and delete Lightly Workers")
    cmd = worker.add_parser("register", help="register a worker; prints its id (an existing "
                            "name gives the existing worker's id)")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--label", action="append", default=[], metavar="L",
                     help="a label the worker has (runs may ask for labels); repeatable")
    _api_option(cmd)
    cmd.set_defaults(handler=worker_register)
    cmd = worker.add_parser("list", help="every worker: name, id, state, labels")
    _api_option(cmd)
    cmd.set_defaults(handler=worker_list)
    cmd = worker.add_parser("delete", help="remove a worker from the registry")
    cmd.add_argument("worker_id", metavar="ID")
    _api_option(cmd)
    cmd.set_defaults(handler=worker_delete)

    runs = group(commands, "runs", "schedule Lightly Worker runs, watch them, fetch artifacts")
    cmd = runs.add_parser(
        "schedule", help="schedule a run of a config; prints the scheduled run's id",
        description="FILE (YAML or JSON) holds up to three sections, as in lightly's own "
        "client: worker (the worker config), lightly (the training config) and selection "
        "(the selection config), with snake_case keys. Every key is checked before anything "
        "is sent.")
    dataset_option(cmd)
    cmd.add_argument("--config", required=True, metavar="FILE", help="YAML or JSON config")
    cmd.add_argument("--runs-on", action="append", default=[], metavar="L",
                     help="a label the worker must have; repeatable")
    cmd.add_argument("--priority", choices=["LOW", "MID", "HIGH", "CRITICAL"], default="MID")
    cmd.set_defaults(handler=runs_schedule)
    cmd = runs.add_parser(
        "watch", help="follow a scheduled run until it ends (exit 0 on COMPLETED, 1 otherwise)",
        description="One live status line on a terminal, one line per change otherwise.")
    dataset_option(cmd)
    cmd.add_argument("scheduled_id", metavar="SCHEDULED_ID")
    cmd.add_argument("--poll-interval", type=float, default=30.0, metavar="S",
                     help="seconds between polls (default 30)")
    cmd.set_defaults(handler=runs_watch)
    cmd = runs.add_parser("artifacts", help="download every artifact of a run into DIR")
    cmd.add_argument("run_id", metavar="RUN_ID")
    cmd.add_argument("dir", metavar="DIR", help="the directory to write to (created if needed)")
    cmd.add_argument("--if-exists", choices=["skip", "overwrite", "error"], default="error")
    _api_option(cmd)
    cmd.set_defaults(handler=runs_artifacts)


def _api_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--api", choices=("latest", "seed"), default=None,
                     help="the API's dialect (default: latest, or $LIGHTLY_API)")


# -- commands ------------------------------------------------------------------------------
def worker_register(args: argparse.Namespace) -> int:
    async def run(session: la.LightlySession) -> None:
        print(await session.workers.register(args.name, labels=args.label))

    return _session_run(args, run)


def worker_list(args: argparse.Namespace) -> int:
    async def run(session: la.LightlySession) -> None:
        for worker in await session.workers.list():
            state = getattr(worker.state, "value", worker.state)
            print(f"{worker.name}\t{worker.id}\t{state}\t{','.join(worker.labels)}")

    return _session_run(args, run)


def worker_delete(args: argparse.Namespace) -> int:
    async def run(session: la.LightlySession) -> None:
        await session.workers.delete(args.worker_id)

    return _session_run(args, run)


def runs_schedule(args: argparse.Namespace) -> int:
    sections = _read_config(Path(args.config))

    async def run(session: la.LightlySession) -> None:
        scheduled_id = await session.dataset(args.dataset).runs.schedule(
            worker_config=sections.get("worker"), lightly_config=sections.get("lightly"),
            selection_config=sections.get("selection"), priority=args.priority,
            runs_on=args.runs_on)
        print(scheduled_id)

    return _session_run(args, run)


def runs_watch(args: argparse.Namespace) -> int:
    if not args.poll_interval >= 0:
        raise UsageError(f"--poll-interval must be >= 0, got {args.poll_interval}")
    live = _stderr_is_tty() and sys.stdout.isatty()

    async def run(session: la.LightlySession) -> int:
        last: RunInfo | None = None
        async for info in session.dataset(args.dataset).runs.watch(
                args.scheduled_id, poll_interval=args.poll_interval):
            last = info
            line = _status_line(info)
            if live:
                print(f"\r\x1b[2K{line}", end="", flush=True)
            else:
                print(line, flush=True)
        if live:
            print()
        return 0 if last is not None and last.ended_successfully else 1

    return _session_run(args, run)


def runs_artifacts(args: argparse.Namespace) -> int:
    directory = Path(args.dir)

    async def run(session: la.LightlySession) -> int:
        await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
        result = await session.runs.download_artifacts(args.run_id, directory,
                                                       if_exists=args.if_exists)
        for key in result.succeeded:
            print(result.results[key])
        if result.failed:
            _print_failures({k: v for k, v in result.failed.items()})
            return 1
        return 0

    return _session_run(args, run)


# -- helpers -------------------------------------------------------------------------------
def _status_line(info: RunInfo) -> str:
    state = getattr(info.state, "value", info.state)
    run = f" run {info.run.id}" if info.run is not None else ""
    message = f": {info.message}" if info.message else ""
    return f"{state}{run}{message}"


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise UsageError("reading a YAML config needs PyYAML (pip install pyyaml), "
                             "or give the config as JSON") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UsageError(f"{path} is not valid YAML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"{path} is not valid JSON: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold an object with sections "
                         f"{', '.join(CONFIG_SECTIONS)}")
    unknown = sorted(set(data) - set(CONFIG_SECTIONS))
    if unknown:
        import difflib

        hints = [f"{key!r}" + (f" (did you mean {close[0]!r}?)" if (
            close := difflib.get_close_matches(str(key), CONFIG_SECTIONS, n=1)) else "")
                 for key in unknown]
        raise UsageError(f"{path}: unknown section {', '.join(hints)}; the sections are "
                         f"{', '.join(CONFIG_SECTIONS)}")
    return data


def _session_run(args: argparse.Namespace,
                 body: Callable[[la.LightlySession], Awaitable[T]]) -> int:
    import lightly_async as la

    async def main() -> T:
        async with la.LightlySession(api=args.api) as session:
            return await body(session)

    status = anyio.run(main)
    return status if isinstance(status, int) else 0
