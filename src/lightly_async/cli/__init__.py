"""The ``lightly-async`` command line: tags, downloads, raw listings, prediction uploads, the
Lightly Worker (workers, runs, artifacts), and serving the fake (``python -m lightly_async``
is the same program, plus ``demo``).

argparse (the standard library) rather than click or typer: the commands are few and flat,
a dependency would land in the core install for every library user, and ``--help``/usage
errors (exit status 2) are what argparse does anyway. The token comes from ``LIGHTLY_TOKEN``,
the URL from ``LIGHTLY_SERVER_LOCATION``, the dataset from ``--dataset`` or
``LIGHTLY_DATASET_ID``. An API error is one line on stderr (its class, status, code and
message; never a traceback, never the token) and exit status 1; bad usage or bad input is
exit status 2; Ctrl-C is exit status 130. Text from the server (tag and file names, error
messages) is shown with its control characters escaped when it goes to a terminal; piped
output and ``--json`` carry it as it is (JSON escapes them itself). Output files are written
whole or not at all (a temporary file renamed into place).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lightly_async._constants import CLI_MAX_CONCURRENCY

__all__ = ["main"]

PROG = "lightly-async"
EXIT_FAILED = 1
EXIT_USAGE = 2
#: The ceiling of requests in flight of the session a command runs on (its pool's size).
MAX_CONCURRENCY = CLI_MAX_CONCURRENCY


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:  # a command group without its sub-command
        args.group_parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head` stopped reading: no error line, no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail
        return EXIT_FAILED
    except Exception as exc:
        return _report(prog, exc)


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The whole command tree; each command's function is its ``handler`` default."""
    from lightly_async.cli import _commands, _fake

    parser = argparse.ArgumentParser(
        prog=prog, description="The Lightly platform from the command line "
        "(LIGHTLY_TOKEN, LIGHTLY_SERVER_LOCATION and LIGHTLY_DATASET_ID from the environment).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tags = _group(commands, "tags", "list and export tags")
    cmd = tags.add_parser("list", help="every tag: name, id, sample count")
    _dataset_option(cmd)
    cmd.add_argument("--json", action="store_true", help="a JSON array in the API's format")
    cmd.set_defaults(handler=_commands.tags_list)
    cmd = tags.add_parser("export", help="a tag as LabelStudio tasks or LabelBox (v4 or v3) "
                          "data rows")
    _dataset_option(cmd)
    cmd.add_argument("--tag", required=True, metavar="NAME", help="the tag's name")
    cmd.add_argument("--format", required=True, choices=["labelstudio", "labelbox-v4", "labelbox"],
                     help="labelbox is LabelBox v3, deprecated by the Lightly API")
    cmd.add_argument("--expires-in", type=_positive_int, metavar="S",
                     help="seconds the signed image URLs stay valid")
    cmd.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    cmd.set_defaults(handler=_commands.tags_export)

    cmd = commands.add_parser(
        "download", help="every file of a tag, streamed to a directory",
        description="Download every file of a tag into DIR (sub-directories as in the file "
        "names). Files appear only once complete; with --if-exists skip a re-run resumes.")
    _dataset_option(cmd)
    cmd.add_argument("--tag", required=True, metavar="NAME", help="the tag's name")
    cmd.add_argument("dir", metavar="DIR", help="the directory to write to (created if needed)")
    cmd.add_argument("--if-exists", choices=["skip", "overwrite", "error"], default="error",
                     help="a file already in DIR: error (the default: that file fails, "
                     "nothing is replaced), skip (resume a run), overwrite")
    _bulk_options(cmd)
    cmd.set_defaults(handler=_commands.download)

    raw = _group(commands, "raw", "the raw files of the dataset's datasource")
    cmd = raw.add_parser("list", help="raw file names, one per line")
    _dataset_option(cmd)
    cmd.add_argument("--from", dest="from_", type=_timestamp, metavar="TS",
                     help="created at or after (seconds since the epoch)")
    cmd.add_argument("--to", type=_timestamp, metavar="TS", help="created at or before")
    cmd.add_argument("--new", action="store_true",
                     help="only files new since the last --new run; the bookmark moves only "
                     "after a complete run")
    cmd.add_argument("--json", action="store_true",
                     help="one JSON object per line (the API's row format)")
    cmd.set_defaults(handler=_commands.raw_list)

    predictions = _group(commands, "predictions", "upload predictions")
    cmd = predictions.add_parser(
        "upload", help="upload a JSON Lines file of predictions",
        description='FILE holds one {"sampleId": ..., "predictions": [...]} object per line, '
        "in the API's format. Failed lines are written to a file for a re-run; exit status "
        "1 if anything failed.")
    _dataset_option(cmd)
    cmd.add_argument("--version", dest="prediction_version", required=True, type=_timestamp,
                     metavar="TS", help="the prediction version (predictionUUIDTimestamp, ms)")
    cmd.add_argument("file", metavar="FILE.jsonl")
    cmd.add_argument("--failed-out", metavar="FILE",
                     help="where failed lines go (default: FILE with .failed.jsonl)")
    _bulk_options(cmd)
    cmd.set_defaults(handler=_commands.predictions_upload)

    from lightly_async.cli import _worker

    _worker.add_parsers(commands, _group, _dataset_option)

    fake = _group(commands, "fake", "the fake Lightly server")
    cmd = fake.add_parser("serve", help="serve a seeded fake until Ctrl-C")
    _fake.add_serve_arguments(cmd)
    cmd.add_argument("--rate-limit", type=float, default=None, metavar="N",
                     help="answer 429 with Retry-After beyond N requests/s over the whole "
                     "server (a token bucket shared by every client; default: no limit)")
    cmd.set_defaults(handler=_fake.serve)

    from lightly_async import __main__ as demo

    demo.add_demo_parser(commands)
    return parser


# -- parser helpers -----------------------------------------------------------------------
def _group(commands: Any, name: str, help: str) -> Any:
    group = commands.add_parser(name, help=help)
    group.set_defaults(group_parser=group)
    return group.add_subparsers(metavar="COMMAND")


def _dataset_option(cmd: argparse.ArgumentParser) -> None:
    """``--dataset`` and ``--api``, which every API command takes."""
    default = os.environ.get("LIGHTLY_DATASET_ID") or None
    cmd.add_argument("--dataset", required=default is None, default=default, metavar="ID",
                     help="the dataset's id (default: $LIGHTLY_DATASET_ID)")
    cmd.add_argument("--api", choices=("latest", "seed"), default=None,
                     help="the API's dialect: latest (the default, or $LIGHTLY_API: the API "
                     "as served today) or seed (the seed documents' paths, for a server of "
                     "that era)")


def _bulk_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--concurrency", type=_concurrency, metavar="N",
                     help=f"requests at once, 1 to {MAX_CONCURRENCY} (default: "
                     f"{MAX_CONCURRENCY}, the connection pool's size)")
    cmd.add_argument("--no-progress", action="store_true", help="no progress bar")


def _positive_int(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def _concurrency(text: str) -> int:
    value = _integer(text)
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(
            f"must be between 1 and {MAX_CONCURRENCY} (the connection pool's size), got {text}")
    return value


def _timestamp(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _version() -> str:
    from lightly_async._version import __version__

    return __version__


def _report(prog: str, exc: Exception) -> int:
    """One line on stderr for the errors a user can cause or meet; others propagate."""
    from lightly_async.cli._commands import UsageError
    from lightly_async.errors import InvalidInputError, LightlyError

    if isinstance(exc, UsageError | InvalidInputError):
        status = EXIT_USAGE
    elif isinstance(exc, LightlyError | OSError):
        status = EXIT_FAILED
    else:
        raise exc
    from lightly_async.cli._commands import shown

    text = " ".join(str(exc).split())
    kind = "" if isinstance(exc, UsageError) else f"{type(exc).__name__}: "
    print(shown(f"{prog}: error: {kind}{text}", sys.stderr), file=sys.stderr)
    return status
