"""SessionConfig: everything a session needs except its secret, to ship to other processes.

A :class:`SessionConfig` is frozen, compared by value and picklable, so one object built on a
driver can be sent to every worker of a process pool, a Ray actor or a Dask task, and each
worker opens its own session from it::

    cfg = SessionConfig(base_url="https://api.lightly.ai", concurrency=16)
    # … in each worker process:
    async with LightlySession.from_config(cfg) as session:
        ...

The secret is never inside: the config *names* where the worker finds it, an environment
variable (``token_env``, default ``"LIGHTLY_TOKEN"``) or a picklable zero-argument callable
(``token_provider``) called once when the session is opened. Likewise a proxy with
credentials is named by ``proxy_env``; ``proxy=`` itself must carry no ``user:password@``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import attrs

from lightly_async import _http
from lightly_async._retry import RetryPolicy
from lightly_async._send import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_SIZE
from lightly_async._session import (
    DEFAULT_BULK_GIVE_UP_AFTER,
    DEFAULT_MAX_RETRIES,
    NOT_GIVEN,
    NotGiven,
    _check_base_url,
    _check_deadline,
    _check_size,
    check_api,
    check_concurrency,
    check_give_up_after,
)
from lightly_async.errors import InvalidInputError

if TYPE_CHECKING:
    from lightly_async._session import LightlySession

__all__ = ["DEFAULT_TOKEN_ENV", "SessionConfig", "config_of", "session_arguments"]

DEFAULT_TOKEN_ENV: Final = "LIGHTLY_TOKEN"
_AUTH_KINDS: Final = ("token", "bearer")


def _checked(check: Callable[[Any], Any]) -> Callable[[Any, Any, Any], None]:
    """An attrs validator running one of the session's own checks on the value."""

    def validator(instance: Any, attribute: Any, value: Any) -> None:
        check(value)

    return validator


def _check_timeout(value: Any) -> None:
    if value is NOT_GIVEN or value is None or isinstance(value, _http.Timeout):
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(
            "timeout", f"must be seconds > 0, an httpx2.Timeout or None, got {value!r}")


def _check_max_retries(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError("max_retries", f"must be an integer >= 0, got {value!r}")


def _check_retry(value: Any) -> None:
    if value is not None and not isinstance(value, RetryPolicy):
        raise InvalidInputError("retry", f"must be a RetryPolicy or None, got {value!r}")


def _check_env_name(field: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not value or "=" in value or "\0" in value:
            raise InvalidInputError(field, f"must name an environment variable, got {value!r}")

    return check


def _check_provider(value: Any) -> None:
    if value is not None and not callable(value):
        raise InvalidInputError("token_provider", "must be a zero-argument callable returning "
                                                  "the token")


def _check_auth(value: Any) -> None:
    if value not in _AUTH_KINDS:
        raise InvalidInputError("auth", f"must be 'token' or 'bearer', got {value!r}")


def _check_ca_bundle(value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidInputError("ca_bundle", f"must be a path, got {type(value).__name__}")


def _fspath(value: Any) -> Any:
    return os.fspath(value) if isinstance(value, os.PathLike) else value


def _check_proxy(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidInputError("proxy", f"must be a URL string, got {type(value).__name__}")
    try:
        proxy = _http.Proxy(value)
    except ValueError as exc:  # the URL is not repeated: it may hold a password
        raise InvalidInputError("proxy", str(exc)) from None
    if proxy.auth is not None:
        raise InvalidInputError(
            "proxy", "carries credentials, which a SessionConfig never holds: put the proxy "
            "URL in an environment variable of each worker and pass proxy_env='NAME'")


@attrs.frozen(kw_only=True)
class SessionConfig:
    """Everything a :class:`LightlySession` needs except the secret: frozen and picklable.

    Open a session from it with ``LightlySession.from_config(cfg, **overrides)`` (async) or
    ``lightly_async.sync.LightlySession.from_config(cfg, **overrides)``; ``session.config``
    gives the config of a running session (to ship to workers). Its repr and its pickle
    never hold the token: the config names where each process finds it.

    Every field is checked when the config is built, with the session's own rules
    (an :class:`InvalidInputError` naming the field); ``None`` (or the default) of
    ``base_url``, ``api``, ``proxy`` and ``ca_bundle`` defers to the environment of the
    process that opens the session, as :class:`LightlySession` does. A ``ca_bundle`` path
    is checked to exist when a session is opened, not here (it must exist on the workers).

    Attributes:
        base_url: the API's base URL (``None``: ``$LIGHTLY_SERVER_LOCATION``, then
            ``https://api.lightly.ai``).
        api: ``"latest"`` or ``"seed"`` (``None``: ``$LIGHTLY_API``, then ``"latest"``).
        timeout: seconds per phase, an ``httpx2.Timeout`` or ``None`` (no timeout);
            ``NOT_GIVEN`` keeps the session's default.
        deadline: seconds bounding a whole API call with its retries (``None``: no bound).
        max_retries: retries of a replay-safe request.
        retry: a full :class:`RetryPolicy` (overrides ``max_retries``); it must pickle too.
        concurrency: the session's ceiling of requests in flight (``None``: the pool's
            connection limit).
        bulk_give_up_after: consecutive connection failures that stop a bulk run.
        max_response_size: bytes an API answer may hold (``None``: no cap).
        allow_insecure_http: allow plain ``http://`` to a non-loopback host.
        ca_bundle: a PEM file (or hashed directory) of the CAs to trust.
        proxy: an ``http(s)://host:port`` proxy *without* credentials (refused with them).
        proxy_env: the name of an environment variable holding the proxy URL, credentials
            allowed (read when a session is opened; exclusive with ``proxy``).
        token_env: the environment variable holding the token (default ``LIGHTLY_TOKEN``).
        token_provider: a picklable zero-argument callable returning the token (a
            module-level function, a ``functools.partial`` of one, an object with
            ``__call__``); called once per session opened; takes precedence over
            ``token_env``.
        auth: ``"token"`` (sent as the ``token`` query parameter) or ``"bearer"`` (the
            secret is a JWT sent as ``Authorization: Bearer …``).
    """

    base_url: str | None = attrs.field(default=None)
    api: str | None = attrs.field(
        default=None, validator=_checked(lambda v: v is None or check_api(v)))
    timeout: float | _http.Timeout | NotGiven | None = attrs.field(
        default=NOT_GIVEN, validator=_checked(_check_timeout))
    deadline: float | None = attrs.field(
        default=DEFAULT_DEADLINE, validator=_checked(_check_deadline))
    max_retries: int = attrs.field(
        default=DEFAULT_MAX_RETRIES, validator=_checked(_check_max_retries))
    retry: RetryPolicy | None = attrs.field(default=None, validator=_checked(_check_retry))
    concurrency: int | None = attrs.field(default=None, validator=_checked(check_concurrency))
    bulk_give_up_after: int | None = attrs.field(
        default=DEFAULT_BULK_GIVE_UP_AFTER, validator=_checked(check_give_up_after))
    max_response_size: int | None = attrs.field(
        default=DEFAULT_MAX_RESPONSE_SIZE, validator=_checked(_check_size))
    allow_insecure_http: bool = attrs.field(default=False)
    ca_bundle: str | None = attrs.field(
        default=None, converter=_fspath, validator=_checked(_check_ca_bundle))
    proxy: str | None = attrs.field(default=None, validator=_checked(_check_proxy))
    proxy_env: str | None = attrs.field(
        default=None, validator=_checked(_check_env_name("proxy_env")))
    token_env: str = attrs.field(
        default=DEFAULT_TOKEN_ENV, validator=_checked(_check_env_name("token_env")))
    token_provider: Callable[[], str] | None = attrs.field(
        default=None, validator=_checked(_check_provider))
    auth: str = attrs.field(default="token", validator=_checked(_check_auth))

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.allow_insecure_http, bool):
            raise InvalidInputError("allow_insecure_http", "must be True or False")
        if self.base_url is not None:
            if not isinstance(self.base_url, str):
                raise InvalidInputError("base_url", f"must be an http(s) URL, got "
                                                    f"{type(self.base_url).__name__}")
            _check_base_url(self.base_url.rstrip("/"), self.allow_insecure_http)
        if self.proxy is not None and self.proxy_env is not None:
            raise InvalidInputError("proxy_env", "pass either proxy or proxy_env, not both")
        if self.token_env is None:
            raise InvalidInputError("token_env", "must name an environment variable")

    def resolve_token(self) -> str:
        """The secret, fetched now in this process (from ``token_provider`` or ``$token_env``).

        Raises :class:`InvalidInputError` when the variable is unset or empty, or the
        provider returns no string (neither the value nor the provider's output is shown).
        """
        if self.token_provider is not None:
            provided: Any = self.token_provider()
            if not isinstance(provided, str) or not provided:
                raise InvalidInputError(
                    "token_provider", f"must return the token as a non-empty string, "
                    f"returned a {type(provided).__name__}")
            return provided
        token = os.environ.get(self.token_env) or None
        if token is None:
            raise InvalidInputError(
                "token_env", f"${self.token_env} is not set in this process (pid "
                f"{os.getpid()}): set it where the session is opened (on every worker), or "
                "pass token_provider=...")
        return token

    def resolve_proxy(self) -> str | None:
        """The proxy URL, read now (``proxy``, or ``$proxy_env`` when that is set)."""
        if self.proxy_env is None:
            return self.proxy
        value = os.environ.get(self.proxy_env) or None
        if value is None:
            raise InvalidInputError("proxy_env", f"${self.proxy_env} is not set in this "
                                                 "process")
        return value


_CONFIG_FIELDS: Final = frozenset(field.name for field in attrs.fields(SessionConfig))


def session_arguments(
    cfg: SessionConfig, overrides: dict[str, Any]
) -> tuple[SessionConfig, dict[str, Any]]:
    """The config with the overrides that are its fields, and the session's arguments.

    Overrides that are no config field (``transport``, ``http_client``, hooks, ``token``,
    ``ssl_context``, …) pass to the session as they are.
    """
    if not isinstance(cfg, SessionConfig):
        raise InvalidInputError("config", f"must be a SessionConfig, got {type(cfg).__name__}")
    changes = {k: v for k, v in overrides.items() if k in _CONFIG_FIELDS}
    rest = {k: v for k, v in overrides.items() if k not in _CONFIG_FIELDS}
    if changes:
        cfg = attrs.evolve(cfg, **changes)
    kwargs: dict[str, Any] = {}
    if "token" not in rest and "bearer_token" not in rest:
        kwargs["bearer_token" if cfg.auth == "bearer" else "token"] = cfg.resolve_token()
    kwargs.update(
        base_url=cfg.base_url, api=cfg.api, deadline=cfg.deadline, max_retries=cfg.max_retries,
        concurrency=cfg.concurrency, bulk_give_up_after=cfg.bulk_give_up_after,
        max_response_size=cfg.max_response_size, allow_insecure_http=cfg.allow_insecure_http,
        ca_bundle=cfg.ca_bundle, proxy=cfg.resolve_proxy())
    if cfg.timeout is not NOT_GIVEN:
        kwargs["timeout"] = cfg.timeout
    if cfg.retry is not None:
        kwargs["retry"] = cfg.retry
    kwargs.update(rest)
    return cfg, kwargs


def config_of(session: LightlySession) -> SessionConfig:
    """The config of a running session (its options in force; the secret only named)."""
    base = session._config_source
    if base is None:
        given = session._config_given
        proxy = given.get("proxy")
        if proxy is not None and _http.Proxy(proxy).auth is not None:
            proxy = None  # its credentials never go into a config: see proxy_env
        base = SessionConfig(
            auth="bearer" if given.get("bearer") else "token",
            allow_insecure_http=bool(given.get("allow_insecure_http")),
            ca_bundle=given.get("ca_bundle"), proxy=proxy)
    options = session._options
    return attrs.evolve(
        base, base_url=session.base_url, api=session.api, timeout=options.timeout,
        deadline=options.deadline, max_retries=options.retry.max_retries, retry=options.retry,
        concurrency=session.concurrency, bulk_give_up_after=session.bulk_give_up_after,
        max_response_size=options.max_response_size)
