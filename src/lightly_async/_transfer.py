"""Signed-URL transfers: uploads streamed from disk, downloads streamed to disk.

What sets them apart from API calls (``_session.py``):

* **No API credentials.** A signed URL carries its own credential in its query, so these
  requests never carry the ``token`` parameter, an ``Authorization`` header, the client's
  ``auth=`` or its cookies. A URL shows in errors and logs as ``scheme://host/path`` only.
* **Redirects**, followed here (never by the client, whatever its ``follow_redirects``), up to
  :data:`MAX_REDIRECTS` hops: 301/302/307/308 keep the method and the body (an upload's file
  is re-opened for each hop); 303 turns a download's GET into a GET again and is refused for
  an upload; https never downgrades to http. Only a final 2xx succeeds: any 3xx that is not
  followed raises :class:`RedirectError`, and a download writes its file only from a 2xx body.
* **Streaming.** An upload streams its source in :data:`CHUNK_SIZE` pieces with an exact
  ``Content-Length`` (what S3, GCS and Azure signed PUTs need; Azure SAS URLs also get
  ``x-ms-blob-type: BlockBlob`` and ``x-ms-original-content-length``), so memory per
  transfer is one chunk. A download streams into a temporary file created exclusively in the
  destination directory (``O_EXCL|O_NOFOLLOW``: a planted symlink is never followed), which
  takes the destination's name only when complete, and is removed on every failure path.
  Its name, ``.<name>.lightly-<pid>-<hex>.part``, lets a later download into the same
  directory remove what a killed process left (:func:`remove_stale_partials`).
* **Bounded time** (:class:`TransferTimeout`), separate from the API calls' deadline because a
  transfer's size is unbounded: each attempt must keep an average of ``min_rate`` bytes/s
  after a ``grace`` period, and never runs past ``max_duration``.
* **Retries** with the session's :class:`RetryPolicy` on 408/429/5xx and connection errors;
  a 429 from a storage host does not pause the session's API calls.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar
from urllib.parse import parse_qsl, urljoin, urlsplit

import anyio
import attrs

from lightly_async import _http, _observe
from lightly_async._redact import signed_url_display
from lightly_async._responses import status_error
from lightly_async.errors import (
    APITimeoutError,
    RedirectError,
    ResponseTooLargeError,
)

if TYPE_CHECKING:
    from lightly_async._send import CallOptions, Sender

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_TRANSFER_TIMEOUT",
    "IF_EXISTS_CHOICES",
    "MAX_REDIRECTS",
    "IfExists",
    "TransferTimeout",
    "download",
    "read",
    "remove_stale_partials",
    "upload",
]

T = TypeVar("T")
log = logging.getLogger("lightly_async")

MAX_REDIRECTS: Final = 5
CHUNK_SIZE: Final = 256 * 1024
IfExists = Literal["error", "skip", "overwrite"]
IF_EXISTS_CHOICES: Final = ("error", "skip", "overwrite")
#: At most this much of an error answer is read (for its code and message).
_ERROR_BODY_LIMIT: Final = 64 * 1024
_FOLLOWED: Final = frozenset({301, 302, 303, 307, 308})


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be a number > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class TransferTimeout:
    """How long one signed-URL transfer attempt may take, scaled to what it moves.

    An attempt is cut (:class:`APITimeoutError`, then retried per the session's policy) as
    soon as ``elapsed > grace + bytes_moved / min_rate``, or ``elapsed > max_duration``.
    So a server that stalls, or trickles below ``min_rate``, holds an attempt for about
    ``grace`` seconds plus what its bytes bought; a healthy transfer of any size up to
    ``min_rate * max_duration`` bytes is never cut. The session's per-phase ``timeout=``
    (30 s per read or write by default) applies inside each attempt as well.

    Attributes:
        min_rate: bytes per second an attempt must average after ``grace`` (default 100 kB/s,
            0.8 Mbit/s: far below any link bulk images move over, far above a trickle).
        grace: seconds for connecting, TLS and the server's first byte (default 30).
        max_duration: seconds no attempt may exceed, whatever it moved (default 3600:
            a body without a declared length cannot stream forever).
    """

    min_rate: float = attrs.field(default=100_000.0, validator=_positive)
    grace: float = attrs.field(default=30.0, validator=_positive)
    max_duration: float = attrs.field(default=3600.0, validator=_positive)


DEFAULT_TRANSFER_TIMEOUT: Final = TransferTimeout()


async def upload(
    pipe: Sender,
    options: CallOptions,
    url: str,
    source: bytes | str | os.PathLike[str],
    *,
    transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
) -> None:
    """PUT ``source`` (bytes, or a file streamed from disk) to a signed URL; retried."""

    async def attempt(clock: _Clock) -> _http.Response:
        async with AsyncExitStack() as stack:
            return await _exchange(pipe, options, stack, "PUT", url, source, clock)

    await _run(pipe, options, "PUT", url, attempt, transfer_timeout)


async def download(
    pipe: Sender,
    options: CallOptions,
    url: str,
    dest: Path,
    *,
    if_exists: IfExists = "error",
    transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    max_size: int | None = None,
) -> str | None:
    """Stream a signed URL to ``dest``; returns the answer's Content-Type.

    ``dest`` appears only once complete, holding exactly the stored bytes: the request asks
    for ``Accept-Encoding: identity`` and a ``Content-Encoding`` the server sends anyway is
    never undone (a ``.json.gz`` stored gzip-encoded lands as the gzip file; a gzip bomb
    stays its compressed size). With ``max_size`` a body past that many bytes (declared or
    read) fails with :class:`ResponseTooLargeError` and leaves nothing. With
    ``if_exists="error"`` or ``"skip"`` an existing ``dest`` is never replaced
    (:class:`FileExistsError`); ``"overwrite"`` replaces it atomically (a symlink there is
    replaced, not followed).
    """
    display = signed_url_display(url)

    async def attempt(clock: _Clock) -> _http.Response:
        async with AsyncExitStack() as stack:
            response = await _exchange(pipe, options, stack, "GET", url, None, clock)
            _check_declared_size(response, max_size, display)
            partial = await _Partial.create(dest)  # only now: a 2xx body is on its way
            try:
                written = 0
                # As stored: never decoded. (An answer already held in memory, as an
                # in-process or mock transport gives it, can only be read as content.)
                chunks = (response.aiter_bytes() if response.is_stream_consumed
                          else response.aiter_raw())
                async for chunk in chunks:
                    written += len(chunk)
                    if max_size is not None and written > max_size:
                        raise _too_large(max_size, written, display)
                    await partial.write(chunk)
                    clock.moved(len(chunk))
                await partial.finish(dest, replace=if_exists == "overwrite")
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await partial.discard()
                raise
        return response

    response = await _run(pipe, options, "GET", url, attempt, transfer_timeout)
    content_type: str | None = response.headers.get("content-type")
    return content_type


async def _run(
    pipe: Sender, options: CallOptions, method: str, url: str,
    work: Callable[[_Clock], Awaitable[_http.Response]], bound: TransferTimeout,
) -> _http.Response | _http.Answer:
    """``work`` run by the session's retry loop, each attempt within ``bound``; closing the
    session cancels it (:class:`SessionClosedError`, its files cleaned up)."""
    display = signed_url_display(url)

    def shown() -> str:
        return display

    async def attempt() -> tuple[_http.Response, bytes]:
        clock = _Clock(bound)
        with anyio.CancelScope() as scope:
            clock.start(scope)
            return await work(clock), b""
        raise APITimeoutError(clock.explain(), method=method, url=display)

    observer = pipe.observer
    watch = None if observer is None else _observe.Watch(
        observer, None, "transfer.upload" if method == "PUT" else "transfer.download", method,
        shown)
    # Replay-safe: a signed PUT stores the same bytes again; no rate budget: a storage
    # host's 429 says nothing of the API's pace.
    response, _ = await pipe.guarded(pipe.with_retries(
        options.retry, method, shown, attempt, replay_safe=True, watch=watch))
    return response


async def read(
    pipe: Sender,
    options: CallOptions,
    url: str,
    *,
    transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    max_size: int | None = None,
) -> bytes:
    """The bytes behind a signed URL, read into memory: the transfer :func:`download` makes
    (redirects checked, no token, retries, exactly the stored bytes), into memory.

    With ``max_size`` a body past that many bytes (declared or read) fails with
    :class:`ResponseTooLargeError`, the read stopping there.
    """
    display = signed_url_display(url)
    held = bytearray()  # the bytes of the attempt that completed (a retry starts afresh)

    async def attempt(clock: _Clock) -> _http.Response:
        async with AsyncExitStack() as stack:
            response = await _exchange(pipe, options, stack, "GET", url, None, clock)
            _check_declared_size(response, max_size, display)
            buffer = bytearray()
            chunks = (response.aiter_bytes() if response.is_stream_consumed
                      else response.aiter_raw())
            async for chunk in chunks:
                if max_size is not None and len(buffer) + len(chunk) > max_size:
                    raise _too_large(max_size, len(buffer) + len(chunk), display)
                buffer += chunk
                clock.moved(len(chunk))
        held[:] = buffer
        return response

    await _run(pipe, options, "GET", url, attempt, transfer_timeout)
    return bytes(held)


def _check_declared_size(response: _http.Response, limit: int | None, display: str) -> None:
    declared = response.headers.get("content-length")
    if limit is not None and declared is not None and declared.isdigit() and (
            int(declared) > limit):
        raise _too_large(limit, int(declared), display)


def _too_large(limit: int, size: int, display: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"file of at least {size} bytes exceeds max_file_size={limit}; nothing written",
        method="GET", url=display, limit=limit, size=size)


# -- one attempt: hops until a 2xx --------------------------------------------------------------
async def _exchange(
    pipe: Sender, options: CallOptions, stack: AsyncExitStack, method: str, url: str,
    source: bytes | str | os.PathLike[str] | None, clock: _Clock,
) -> _http.Response:
    """Send ``method url``, following redirects; returns the streamed 2xx answer.

    Closing the answer (and the upload's file, kept open while the answer is) is left to
    ``stack``.
    """
    original = url
    for hop in range(MAX_REDIRECTS + 1):
        display = signed_url_display(url)
        async with AsyncExitStack() as hop_stack:
            content: _Body | None = None
            # A download takes the bytes as stored: no transfer coding asked for.
            headers = {"Accept": "*/*", "Accept-Encoding": "identity"}
            if source is not None:
                content = await hop_stack.enter_async_context(_Body.open(source, clock))
                headers.update(_upload_headers(url, content.size))
            client = pipe.client
            request = client.build_request(
                method, url, content=content, headers=headers,
                timeout=options.client_timeout)
            for name in ("Authorization", "Cookie"):  # the URL is the only credential
                request.headers.pop(name, None)
            if hop:
                pipe.stats.requests += 1  # a hop is a request (the loop counted the first)
            started = time.perf_counter()
            # an httpx2 Response, or its httpx twin from a caller's client (same surface)
            response: _http.Response = await client.send(
                request, stream=True, follow_redirects=False, auth=None)
            hop_stack.push_async_callback(_close, response)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s -> %d (%.1f ms)", method, display, response.status_code,
                          (time.perf_counter() - started) * 1000)
            status = response.status_code
            if 200 <= status < 300:
                stack.push_async_callback(hop_stack.pop_all().aclose)
                return response
            if status < 300 or status >= 400:
                raise status_error(response, await _read_head(response), method, display,
                                   pipe.redact)
            target = _redirect_target(response, url, method, hop, display)
        if status == 303:
            method, source = "GET", None  # an upload refused 303 in _redirect_target
        log.debug("%s %s redirected (%d) to %s", method, display, status,
                  signed_url_display(target))
        url = target
    raise AssertionError(f"unreachable: {signed_url_display(original)}")  # pragma: no cover


def _redirect_target(
    response: _http.Response, url: str, method: str, hop: int, display: str
) -> str:
    """Where a 3xx points, or a :class:`RedirectError` saying why it is not followed."""
    status = response.status_code
    location: str | None = response.headers.get("location")
    target = urljoin(url, location.strip()) if location else None
    shown = signed_url_display(target) if target else None

    def refuse(reason: str) -> RedirectError:
        return RedirectError(
            f"redirect not followed: {reason}", status_code=status, method=method, url=display,
            location=shown)

    if status not in _FOLLOWED or target is None:
        raise refuse("no Location to follow" if status in _FOLLOWED else f"status {status}")
    if hop >= MAX_REDIRECTS:
        raise refuse(f"more than {MAX_REDIRECTS} redirects")
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise refuse(f"unsupported scheme {scheme!r}")
    if urlsplit(url).scheme.lower() == "https" and scheme == "http":
        raise refuse("https to plain http")
    if status == 303 and method != "GET":
        raise refuse(f"303 would turn the {method} into a GET and store nothing")
    return target


def _upload_headers(url: str, size: int) -> dict[str, str]:
    headers = {"Content-Length": str(size)}
    parts = urlsplit(url)
    keys = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if (parts.hostname or "").endswith(".blob.core.windows.net") or {"sv", "sig"} <= keys:
        # Azure SAS URLs (NOTES.md §4: build_azure_signed_url_write_headers)
        headers["x-ms-blob-type"] = "BlockBlob"
        headers["x-ms-original-content-length"] = str(size)
    return headers


async def _read_head(response: _http.Response) -> bytes:
    head = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            head += chunk
            if len(head) >= _ERROR_BODY_LIMIT:
                break
    except _http.HTTPError:  # a broken error body: what arrived (or the status) says enough
        return bytes(head[:_ERROR_BODY_LIMIT])
    return bytes(head[:_ERROR_BODY_LIMIT])


# -- the time bound of one attempt ---------------------------------------------------------------
class _Clock:
    """Moves an attempt's cancel-scope deadline as its bytes move (see TransferTimeout)."""

    def __init__(self, bound: TransferTimeout) -> None:
        self._bound = bound
        self._moved = 0
        self._started = 0.0
        self._scope: anyio.CancelScope | None = None

    def start(self, scope: anyio.CancelScope) -> None:
        self._scope = scope
        self._started = anyio.current_time()
        scope.deadline = self._deadline()

    def moved(self, n: int) -> None:
        self._moved += n
        if self._scope is not None:
            self._scope.deadline = self._deadline()

    def explain(self) -> str:
        bound = self._bound
        elapsed = anyio.current_time() - self._started
        if elapsed >= bound.max_duration:
            return f"transfer exceeded max_duration={bound.max_duration:g}s"
        return (f"transfer too slow: {self._moved} bytes in {elapsed:.1f}s, below "
                f"min_rate={bound.min_rate:g} B/s after grace={bound.grace:g}s")

    def _deadline(self) -> float:
        bound = self._bound
        allowed = min(bound.max_duration, bound.grace + self._moved / bound.min_rate)
        return self._started + allowed


# -- upload bodies and partial files ---------------------------------------------------------------
class _Body:
    """An upload body read chunk by chunk with its exact size (a file, or bytes in memory)."""

    def __init__(self, size: int, clock: _Clock) -> None:
        self.size = size
        self._clock = clock
        self._sent = 0

    @classmethod
    def open(cls, source: bytes | str | os.PathLike[str], clock: _Clock) -> _BodyContext:
        return _BodyContext(source, clock)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        if self._sent >= self.size:
            raise StopAsyncIteration
        chunk = await self._read(min(CHUNK_SIZE, self.size - self._sent))
        if not chunk:
            raise OSError(errno.EIO, f"the upload source shrank below {self.size} bytes "
                                     "while it was being sent")
        self._sent += len(chunk)
        self._clock.moved(len(chunk))
        return chunk

    async def _read(self, n: int) -> bytes:
        raise NotImplementedError


class _BytesBody(_Body):
    def __init__(self, data: bytes, clock: _Clock) -> None:
        super().__init__(len(data), clock)
        self._view = memoryview(data)

    async def _read(self, n: int) -> bytes:
        return bytes(self._view[self._sent:self._sent + n])


class _FileBody(_Body):
    def __init__(self, file: anyio.AsyncFile[bytes], size: int, clock: _Clock) -> None:
        super().__init__(size, clock)
        self._file = file

    async def _read(self, n: int) -> bytes:
        return await self._file.read(n)


class _BodyContext:
    """Opens the source for one request (a retry or a redirect hop re-opens the file)."""

    def __init__(self, source: bytes | str | os.PathLike[str], clock: _Clock) -> None:
        self._source = source
        self._clock = clock
        self._file: anyio.AsyncFile[bytes] | None = None

    async def __aenter__(self) -> _Body:
        if isinstance(self._source, bytes):
            return _BytesBody(self._source, self._clock)
        self._file = await anyio.open_file(self._source, "rb")
        size = os.fstat(self._file.wrapped.fileno()).st_size
        return _FileBody(self._file, size, self._clock)

    async def __aexit__(self, *exc: object) -> None:
        if self._file is not None:
            with anyio.CancelScope(shield=True):
                await self._file.aclose()


_OPEN_FLAGS: Final = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                      | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class _Partial:
    """A download's temporary file beside its destination, created exclusively."""

    def __init__(self, path: Path, file: anyio.AsyncFile[bytes]) -> None:
        self.path = path
        self._file = file

    @classmethod
    async def create(cls, dest: Path) -> _Partial:
        stem = dest.name.encode()[:80].decode("utf-8", "ignore")
        for _ in range(8):
            path = dest.with_name(f".{stem}.lightly-{os.getpid()}-{secrets.token_hex(6)}.part")
            try:
                fd = await anyio.to_thread.run_sync(os.open, path, _OPEN_FLAGS, 0o666)
            except FileExistsError:  # a name taken (or planted): draw another
                continue
            return cls(path, anyio.wrap_file(os.fdopen(fd, "wb")))
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(dest.parent))

    async def write(self, chunk: bytes) -> None:
        await self._file.write(chunk)

    async def finish(self, dest: Path, *, replace: bool) -> None:
        await self._file.aclose()
        await anyio.to_thread.run_sync(_place, self.path, dest, replace)

    async def discard(self) -> None:
        await self._file.aclose()
        await anyio.to_thread.run_sync(_unlink_quietly, self.path)


def _place(partial: Path, dest: Path, replace: bool) -> None:
    """Give the complete file its name; without ``replace``, never over an existing one."""
    if replace:
        os.replace(partial, dest)
        return
    try:
        os.link(partial, dest)  # fails if dest exists, even as a dangling symlink
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "destination exists (if_exists='error')",
                              str(dest)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP,
                             errno.EOPNOTSUPP, errno.ENOSYS, errno.EACCES):
            raise
        # No hard links here (FAT, some network file systems): check, then rename.
        if os.path.lexists(dest):
            raise FileExistsError(errno.EEXIST, "destination exists (if_exists='error')",
                                  str(dest)) from None
        os.rename(partial, dest)
        return
    os.unlink(partial)


#: A download's temporary file: ``.<name>.lightly-<pid>-<12 hex>.part`` (see ``_Partial``).
_PARTIAL_NAME: Final = re.compile(r"^\..*\.lightly-(\d+)-[0-9a-f]{12}\.part$", re.DOTALL)


def remove_stale_partials(directory: Path) -> list[str]:
    """Remove the temporary files that downloads killed outright left in ``directory``.

    Only ours, by name (``.<name>.lightly-<pid>-<hex>.part``), and only those whose process
    is gone: a download running in another process keeps its files. POSIX only (elsewhere
    nothing is removed). Returns the names removed.
    """
    if os.name != "posix":
        return []
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _PARTIAL_NAME.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        if _process_alive(int(match.group(1))):
            continue
        with suppress(OSError):
            os.unlink(entry.path)
            removed.append(entry.name)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process: its own downloads may be running
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's live process (or a pid we cannot judge): keep it
    return True


def _unlink_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


async def _close(response: _http.Response) -> None:
    with anyio.CancelScope(shield=True):
        await response.aclose()
