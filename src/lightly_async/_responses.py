"""What an answer means: status errors (3xx/4xx/5xx) and decoding a 2xx body into a model.

Pure functions of a response's status, headers and already-read body; no I/O, no retries
(that is ``_send``), no endpoint knowledge. A 3xx is never a success: it becomes a
:class:`RedirectError` naming the target's scheme, host and path, never its query.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

from lightly_async._redact import redact
from lightly_async._retry import parse_retry_after
from lightly_async.errors import APIStatusError, DecodeError, RedirectError, status_error_class

__all__ = ["PlainText", "decode", "find_lone_surrogate", "from_wire", "loads",
           "redirect_target", "status_error", "to_wire"]


#: Headers naming a request, in the order asked: the Lightly API's, then S3's and Azure's
#: (a signed-URL transfer's storage host).
_REQUEST_ID_HEADERS: Final = ("x-request-id", "x-amz-request-id", "x-ms-request-id")
#: An error message longer than this is cut (a server may echo a whole request back).
_MESSAGE_LIMIT: Final = 500


def status_error(
    response: Any, body: bytes | bytearray, method: str, display: str,
    redact: Callable[[str], str],
) -> APIStatusError:
    """The typed error for a non-2xx answer (an API call's or a signed-URL transfer's).

    Its ``code``/``message``/``requestId`` come from a JSON body (the Lightly API's) or an XML
    one (S3/GCS/Azure: ``<Code>``, ``<Message>``, ``<RequestId>``); without them the body's
    first 200 characters are the message. Every text is redacted.
    """
    status = response.status_code
    code = message = request_id = None
    data: Any = None
    try:
        data = json.loads(body) if body else None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        data = None
    if isinstance(data, dict):
        code = _as_str(data.get("code"))
        message = _as_str(data.get("message")) or _as_str(data.get("error"))
        request_id = _as_str(data.get("requestId"))
    elif body and b"<" in body:
        text = body.decode("utf-8", "replace")
        code, message, request_id = (
            _xml_element(text, "Code"), _xml_element(text, "Message"),
            _xml_element(text, "RequestId"))
    headers = response.headers
    for name in _REQUEST_ID_HEADERS:
        if request_id:
            break
        request_id = headers.get(name)
    data = _redact_json(data, redact)  # a server may echo the token: never kept (nor pickled)
    retry_after = parse_retry_after(headers.get("retry-after"))
    if 300 <= status < 400:
        location = redirect_target(headers.get("location"))
        return RedirectError(
            f"redirect to {location or 'an unnamed location'} not followed (API calls never "
            "follow redirects)", status_code=status, method=method, url=display, code=code,
            request_id=request_id, body=data, retry_after=retry_after, location=location)
    if message:
        message = redact(message)[:_MESSAGE_LIMIT]
    else:
        text = body.decode("utf-8", "replace").strip() if body else ""
        message = redact(text)[:200] if text else response.reason_phrase or "error"
    cls = status_error_class(status)
    return cls(
        message, status_code=status, method=method, url=display, code=code,
        request_id=request_id, body=data, retry_after=retry_after)


def _redact_json(data: Any, redact: Callable[[str], str], depth: int = 0) -> Any:
    """``data`` with every string (key or value) redacted; bounded in depth."""
    if isinstance(data, str):
        return redact(data)
    if depth > 32:
        return None
    if isinstance(data, list):
        return [_redact_json(item, redact, depth + 1) for item in data]
    if isinstance(data, dict):
        return {redact(str(key)): _redact_json(value, redact, depth + 1)
                for key, value in data.items()}
    return data


class PlainText:
    """``cast=PlainText``: a text answer as ``str`` (``text/plain`` UTF-8, or a JSON string
    when the answer says ``application/json``), as the paged file-name export sends."""


def _xml_element(text: str, name: str) -> str | None:
    found = re.search(rf"<{name}>([^<]{{1,500}})</{name}>", text)
    return found.group(1).strip() or None if found else None


def decode(
    body: bytes | bytearray, cast: Any, status_code: int, method: str,
    display: Callable[[], str],
    redact: Callable[[str], str],
    content_type: str | None = None,
) -> Any:
    """``body`` (JSON) structured into ``cast``: exact, or a :class:`DecodeError`.

    ``cast=PlainText`` takes a text body (``content_type`` says which kind) as ``str``.
    """
    if cast is None:
        return None
    if cast is PlainText and not (content_type or "").lower().startswith("application/json"):
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"text answer is not UTF-8: {exc.reason}", method=method,
                              url=display(), status_code=status_code) from None
    if cast is PlainText:
        cast = str
    try:
        data = loads(body)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(
            f"response is not JSON: {redact(str(exc))}"[:300], method=method, url=display(),
            status_code=status_code) from None
    structure = _structure or _load_decoder()
    try:
        return structure(data, cast)
    except Exception:  # cattrs raises many types; all mean "not the schema"
        from lightly_async._convert import explain_failure

        value, detail = explain_failure(data, cast)
        if detail is None:
            return value
        raise DecodeError(
            f"response does not match {_type_name(cast)}: {redact(detail)}"[:1000],
            method=method, url=display(), status_code=status_code) from None


def from_wire(cast: Any, data: Any, *, strict: bool = False) -> Any:
    """``data`` (a parsed JSON value, or JSON text as bytes) structured into ``cast`` as a
    response is decoded; ``strict`` also refuses unknown keys and union types."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = loads(bytes(data))
        except (ValueError, RecursionError) as exc:
            raise DecodeError(f"not JSON: {redact(str(exc))}"[:300]) from None
    if strict:
        from lightly_async._convert import describe_error, get_converter

        try:
            return get_converter(strict=True).structure(data, cast)
        except Exception as exc:  # cattrs raises many types; all mean "not the schema"
            problems = "; ".join(describe_error(exc, data=data))
            raise DecodeError(
                f"does not match {_type_name(cast)}: {redact(problems)}"[:1000]) from None
    structure = _structure or _load_decoder()
    try:
        return structure(data, cast)
    except Exception:
        from lightly_async._convert import explain_failure

        value, detail = explain_failure(data, cast)
        if detail is None:
            return value
        raise DecodeError(
            f"does not match {_type_name(cast)}: {redact(detail)}"[:1000]) from None


def to_wire(value: Any, as_type: Any = None) -> Any:
    """``value`` (a model, or a list or dict of them) as the JSON value the client sends."""
    from lightly_async._convert import get_converter

    return get_converter().unstructure(value, unstructure_as=as_type)


_structure: Callable[[Any, Any], Any] | None = None


def _load_decoder() -> Callable[[Any, Any], Any]:
    """The decoder's ``structure``; loaded on the first decode, not at ``import lightly_async``
    (it builds the converter)."""
    global _structure
    from lightly_async._convert import get_decoder

    _structure = get_decoder().structure
    return _structure


def redirect_target(location: str | None) -> str | None:
    """``scheme://host/path`` of a ``Location`` header: its query and fragment dropped."""
    if not location:
        return None
    parts = urlsplit(location.strip())
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the host alone
        port = None
    if port is not None:
        host = f"{host}:{port}"
    origin = f"{parts.scheme}://{host}" if parts.scheme and host else ""
    return f"{origin}{parts.path}" or "/"


def _type_name(tp: Any) -> str:
    """``list[TagData]`` rather than ``list`` (a generic alias borrows its origin's name)."""
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(map(_type_name, args))
    if origin is not None and args:
        return f"{getattr(origin, '__name__', origin)}[{', '.join(map(_type_name, args))}]"
    return str(getattr(tp, "__name__", tp))


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def loads(body: bytes | bytearray) -> Any:
    """A JSON body parsed strictly: what ``json.loads`` does, minus what JSON is not.

    Refused (``ValueError`` naming the JSON path): the ``NaN``/``Infinity``/``-Infinity``
    tokens (no JSON number), text that is not valid UTF-8, and a ``\\u`` escape that leaves a
    lone UTF-16 surrogate in a string (no character: it could never be sent back, nor written
    to a file as UTF-8). A number too large for a float (``1e400``) is refused where a field
    expects a number (``_convert``).
    """
    text = body.decode(json.detect_encoding(body))  # strict: no surrogates smuggled as UTF-8
    try:
        data = _STRICT_JSON.decode(text)
    except _NonFiniteToken as exc:
        path = _find(json.loads(text), _non_finite, "$")
        raise ValueError(f"{exc.token} is not a JSON number @ {path}") from None
    if _ESCAPED_SURROGATE.search(text) is not None:
        path = _find(data, _lone_surrogate, "$")
        if path is not None:
            raise ValueError(
                f"a string holds a lone UTF-16 surrogate (not a character) @ {path}")
    return data


class _NonFiniteToken(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _refuse_constant(token: str) -> Any:
    raise _NonFiniteToken(token)


_STRICT_JSON = json.JSONDecoder(parse_constant=_refuse_constant)
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _non_finite(value: Any) -> bool:
    return value.__class__ is float and value - value != 0


def find_lone_surrogate(data: Any) -> str | None:
    """The JSON path (``$.a[0].b``) of the first string in ``data`` UTF-8 cannot encode."""
    return _find(data, _lone_surrogate, "$")


def _lone_surrogate(value: Any) -> bool:
    if value.__class__ is not str:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _find(data: Any, bad: Callable[[Any], bool], path: str) -> str | None:
    """The JSON path of the first value (or object key) in ``data`` that is ``bad``."""
    if bad(data):
        return path
    if isinstance(data, dict):
        for key, value in data.items():
            if bad(key):
                return path
            found = _find(value, bad, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found = _find(value, bad, f"{path}[{i}]")
            if found is not None:
                return found
    return None
