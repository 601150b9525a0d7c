"""Redaction: what a log line, an error message or a repr may show of a credential.

Pure text functions and one logging filter; no HTTP library is imported here (``_http``
re-exports these names for the client's own use). Three kinds of secret are masked:

* the API token: every ``token=…`` value, in a query string or in free text a server echoed;
* bearer credentials (``Bearer <jwt>``);
* a signed URL's query, which *is* its credential (S3 ``X-Amz-Signature``/``X-Amz-Credential``,
  GCS ``X-Goog-Signature`` or ``GoogleAccessId``/``Signature``, Azure SAS ``sv=…&sig=…``, the
  fake's ``expires=…&sig=…``). A URL is treated as a Lightly API URL only when every
  parameter of its query is one the API defines (:data:`API_QUERY_PARAMS`); any other URL
  shows as ``scheme://host/path?[REDACTED]``. An unknown API parameter is therefore masked
  too, which costs a little detail in a log line and can never leak a signature.

Well-known signature parameters (``sig=``, ``X-Amz-Signature=`` …) are also masked in text
that is not a URL. The values themselves are never changed: only what is *shown*.
"""

from __future__ import annotations

import logging
import re
from typing import Final
from urllib.parse import unquote, urlsplit

__all__ = [
    "API_QUERY_PARAMS",
    "LOGGER_NAMES",
    "REDACTED",
    "install_log_redaction",
    "mask_secret",
    "redact",
    "redact_url",
    "signed_url_display",
    "url_repr",
]

REDACTED: Final = "[REDACTED]"

#: Query parameters of the Lightly API (the seed spec and lightly 1.5.20's generated client).
#: A URL whose query holds only these keeps its query on display (with ``token`` masked).
API_QUERY_PARAMS: Final = frozenset({
    "accessControl", "currentVersion", "cursor", "datasetIds", "disableConfigValidation",
    "enableDatasetUpdate", "exact", "excludePlayground", "expiresIn", "field", "fileName",
    "fileNameFormat", "filename", "forUserId", "force", "format", "from", "getAssetsOfTeam",
    "getAssetsOfTeamInclusiveSelf", "includeMetaData", "includeUnlockableRuns", "isThumbnail",
    "labels", "lean", "limit", "mode", "name", "pageOffset", "pageSize", "path",
    "predictionUUIDTimestamp", "previewExample", "purpose", "relevantFilenamesArtifactId",
    "relevantFilenamesFileName", "relevantFilenamesRunId", "shared", "showArchived", "sortBy",
    "state", "states", "taskName", "to", "token", "type", "useRedirectedReadUrl", "version",
})

#: Loggers whose records are rewritten: ours and those of every transport we run on.
LOGGER_NAMES: Final = ("lightly_async", "httpx", "httpx2", "httpcore", "httpcore2",
                       "httpx_aiohttp", "aiohttp")
# Children that log on their own name: a filter on a parent does not see their records, so
# each gets the filter itself (created here if its library is not imported yet).
_KNOWN_CHILDREN: Final = (
    "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
    "httpcore.socks", "httpcore2.connection", "httpcore2.http11", "httpcore2.http2",
    "httpcore2.proxy", "httpcore2.socks", "aiohttp.access", "aiohttp.client",
    "aiohttp.internal", "aiohttp.server", "aiohttp.web", "aiohttp.websocket",
)

# A URL in free text: up to whitespace, a quote or an angle bracket.
_URL_RE: Final = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)
# `token=` at a word boundary: in a query string, and in free text a server echoed back
# (a quoted value too); and a JSON `"token": "..."`. Only a value is masked: the word
# "token" on its own ("invalid token") is no secret.
_TOKEN_RE: Final = re.compile(r"(\btoken=[\"']?)[^&#;\s'\"<>]+", re.IGNORECASE)
_TOKEN_JSON_RE: Final = re.compile(r"(\"token\"\s*:\s*\")[^\"]+", re.IGNORECASE)
_BEARER_RE: Final = re.compile(r"(Bearer\s+)([A-Za-z0-9._~+/=-]+)", re.IGNORECASE)
_SIGNATURE_RE: Final = re.compile(
    r"(\b(?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token"
    r"|x-goog-signature|x-goog-credential|googleaccessid|key-pair-id|policy)=)[^&#;\s'\"<>]*",
    re.IGNORECASE)


def redact(text: str) -> str:
    """Mask tokens, bearer credentials and signed-URL queries in ``text``."""
    text = _URL_RE.sub(_mask_url_match, text)
    text = _TOKEN_RE.sub(r"\1" + REDACTED, text)
    text = _TOKEN_JSON_RE.sub(r"\1" + REDACTED, text)
    text = _SIGNATURE_RE.sub(r"\1" + REDACTED, text)
    return _BEARER_RE.sub(_mask_bearer, text)


def _mask_bearer(match: re.Match[str]) -> str:
    """``Bearer <credential>`` masked; ``Bearer token required`` (a plain word) kept."""
    value = match.group(2)
    if value.isalpha() and len(value) < 16 and value != REDACTED.strip("[]"):
        return match.group(0)
    return match.group(1) + REDACTED


def mask_secret(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` masked; a secret shorter than 8
    characters (a test token) only as a whole word, so ``t`` does not mask each ``t``."""
    if len(secret) >= 8:
        return text.replace(secret, REDACTED)
    pattern = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
    return re.sub(pattern, REDACTED, text)


def redact_url(url: object) -> str:
    """A URL (``str``, ``httpx.URL`` …) as text with its credentials masked."""
    return redact(str(url))


def signed_url_display(url: str) -> str:
    """``scheme://host[:port]/path`` of a signed URL: no query, fragment or user info."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:  # a malformed port or bracket: show nothing of it
        return REDACTED
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else REDACTED


def url_repr(url: object) -> str:
    """The ``repr`` of a model field holding a signed URL: its query masked whole.

    Used as ``attrs.field(repr=url_repr)``; the field's value itself stays intact.
    """
    if not isinstance(url, str):
        return repr(url)
    base, sep, rest = url.partition("?")
    if not sep:
        return repr(redact(url))
    fragment = rest.partition("#")[2]
    return repr(redact(base) + "?" + REDACTED + (f"#{fragment}" if fragment else ""))


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message so no token, bearer JWT or signed query is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours to hide
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER: Final = _RedactingFilter()


def install_log_redaction() -> None:
    """Give every logger of :data:`LOGGER_NAMES` (and its children) the redacting filter.

    Idempotent: loggers created since the last call (a transport imported later) are
    picked up by the next one.
    """
    names = {*LOGGER_NAMES, *_KNOWN_CHILDREN}
    names.update(name for name in list(logging.Logger.manager.loggerDict)
                 if name.partition(".")[0] in LOGGER_NAMES)
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def _mask_url_match(match: re.Match[str]) -> str:
    url = match.group(0)
    base, sep, rest = url.partition("?")
    if not sep:
        return url
    query, hash_, fragment = rest.partition("#")
    if _is_api_query(query):
        return url
    return f"{base}?{REDACTED}{hash_}{fragment}"


def _is_api_query(query: str) -> bool:
    if query == REDACTED:
        return False
    for item in re.split(r"[&;]", query):
        if not item:
            continue
        name = unquote(item.partition("=")[0])
        if name not in API_QUERY_PARAMS:
            return False
    return True
