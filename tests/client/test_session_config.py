"""SessionConfig: a token-free, picklable session configuration, and from_config/config."""

from __future__ import annotations

import functools
import pickle

import attrs
import httpx
import pytest

import lightly_async as la
from lightly_async import sync
from lightly_async._http import Timeout

TOKEN = "tok-SECRET-config-0123456789"
PROXY_SECRET = "proxy-pass-SECRET"


def provide_token(suffix: str = "") -> str:
    """A module-level provider: picklable."""
    return TOKEN + suffix


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[])


def test_config_pickles_and_holds_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTLY_TOKEN", TOKEN)
    cfg = la.SessionConfig(base_url="https://api.test", api="seed", timeout=12.5, deadline=60,
                           max_retries=4, concurrency=8, bulk_give_up_after=3,
                           max_response_size=1024, proxy_env="MY_PROXY")
    data = pickle.dumps(cfg)
    assert pickle.loads(data) == cfg
    assert TOKEN.encode() not in data
    assert TOKEN not in repr(cfg)
    assert cfg.token_env == "LIGHTLY_TOKEN"
    assert cfg.token_provider is None


def test_config_with_provider_pickles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIGHTLY_TOKEN", raising=False)
    cfg = la.SessionConfig(base_url="https://api.test",
                           token_provider=functools.partial(provide_token, "-x"))
    copy = pickle.loads(pickle.dumps(cfg))
    assert copy.resolve_token() == TOKEN + "-x"
    assert TOKEN not in repr(copy)
    assert TOKEN.encode() not in pickle.dumps(cfg)


@pytest.mark.parametrize(("field", "value"), [
    ("api", "v2"), ("deadline", 0), ("deadline", True), ("max_retries", -1),
    ("concurrency", 0), ("concurrency", 2.5), ("bulk_give_up_after", 0),
    ("max_response_size", 0), ("timeout", -1), ("timeout", "30"), ("base_url", "ftp://x"),
    ("base_url", "http://example.com"), ("base_url", "https://api.test?token=x"),
    ("token_env", ""), ("token_env", "A=B"), ("token_provider", "not callable"),
    ("auth", "basic"), ("retry", 3), ("ca_bundle", 5), ("proxy", "ftp://p"),
])
def test_config_fields_are_checked_like_the_session(field: str, value: object) -> None:
    with pytest.raises(la.InvalidInputError) as info:
        la.SessionConfig(**{field: value})  # type: ignore[arg-type]
    assert info.value.field == field


def test_config_refuses_a_proxy_with_credentials_without_showing_it() -> None:
    with pytest.raises(la.InvalidInputError) as info:
        la.SessionConfig(proxy=f"http://user:{PROXY_SECRET}@127.0.0.1:3128")
    assert info.value.field == "proxy"
    assert PROXY_SECRET not in str(info.value)
    assert "proxy_env" in str(info.value)
    with pytest.raises(la.InvalidInputError, match="proxy_env"):
        la.SessionConfig(proxy="http://127.0.0.1:3128", proxy_env="P")


def test_insecure_http_is_allowed_when_asked() -> None:
    cfg = la.SessionConfig(base_url="http://example.com", allow_insecure_http=True)
    assert cfg.base_url == "http://example.com"


def test_unset_token_env_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_TOKEN", raising=False)
    cfg = la.SessionConfig(base_url="https://api.test", token_env="MY_TOKEN")
    with pytest.raises(la.InvalidInputError, match=r"\$MY_TOKEN is not set") as info:
        la.LightlySession.from_config(cfg)
    assert info.value.field == "token_env"
    with pytest.raises(la.InvalidInputError, match=r"\$MY_TOKEN is not set"):
        sync.LightlySession.from_config(cfg)


def test_provider_returning_no_string_is_refused() -> None:
    cfg = la.SessionConfig(base_url="https://api.test", token_provider=lambda: None)
    with pytest.raises(la.InvalidInputError) as info:
        cfg.resolve_token()
    assert info.value.field == "token_provider"


@pytest.mark.anyio
async def test_from_config_opens_a_session_that_sends_the_token(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TOKEN", TOKEN)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    cfg = la.SessionConfig(base_url="https://api.test", api="latest", token_env="MY_TOKEN",
                           concurrency=5, deadline=42.0, max_retries=1, timeout=7.0)
    async with la.LightlySession.from_config(
            cfg, transport=httpx.MockTransport(answer), max_retries=3) as session:
        assert session.concurrency == 5
        assert session.deadline == 42.0
        assert session.retry_policy.max_retries == 3  # the override wins
        await session.dataset("5f0c1c6e2a9b4c1d8e7f6a5b").tags.list()
        got = session.config
    assert seen[0].url.params["token"] == TOKEN
    assert got.token_env == "MY_TOKEN"
    assert got.max_retries == 3
    assert got.concurrency == 5
    assert got.deadline == 42.0
    assert got.timeout == Timeout(7.0, connect=5.0)
    assert got.base_url == "https://api.test"
    data = pickle.dumps(got)
    assert TOKEN.encode() not in data
    assert TOKEN not in repr(got)
    assert pickle.loads(data) == got


@pytest.mark.anyio
async def test_config_of_a_plain_session_names_lightly_token() -> None:
    async with la.LightlySession(TOKEN, base_url="https://api.test", concurrency=3,
                                 transport=httpx.MockTransport(_answer)) as session:
        cfg = session.config
        view = session.with_options(deadline=9.0).config
    assert cfg.token_env == "LIGHTLY_TOKEN"
    assert cfg.token_provider is None
    assert cfg.auth == "token"
    assert cfg.concurrency == 3
    assert cfg.api == "latest"
    assert view.deadline == 9.0
    assert TOKEN.encode() not in pickle.dumps(cfg)


@pytest.mark.anyio
async def test_config_of_a_session_with_proxy_credentials_drops_them() -> None:
    async with la.LightlySession(TOKEN, base_url="https://api.test",
                                 proxy=f"http://u:{PROXY_SECRET}@127.0.0.1:3128") as session:
        cfg = session.config
    assert cfg.proxy is None
    assert PROXY_SECRET.encode() not in pickle.dumps(cfg)
    assert PROXY_SECRET not in repr(cfg)


@pytest.mark.anyio
async def test_config_round_trips_into_a_new_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTLY_TOKEN", TOKEN)
    async with la.LightlySession(base_url="https://api.test", api="seed", max_retries=0,
                                 bulk_give_up_after=None,
                                 transport=httpx.MockTransport(_answer)) as first:
        cfg = pickle.loads(pickle.dumps(first.config))
    async with la.LightlySession.from_config(
            cfg, transport=httpx.MockTransport(_answer)) as second:
        assert second.config == cfg
        assert second.api == "seed"
        assert second.bulk_give_up_after is None


def test_bearer_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT", TOKEN)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    cfg = la.SessionConfig(base_url="https://api.test", token_env="JWT", auth="bearer")
    with sync.LightlySession.from_config(cfg, transport=httpx.MockTransport(answer)) as session:
        session.dataset("5f0c1c6e2a9b4c1d8e7f6a5b").tags.list()
        assert session.config == attrs.evolve(session.config, auth="bearer")
        assert session.config.token_env == "JWT"
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert "token" not in seen[0].url.params


def test_sync_from_config_applies_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = la.SessionConfig(base_url="https://api.test", token_provider=provide_token)
    with sync.LightlySession.from_config(cfg, concurrency=2, backend="asyncio",
                                         transport=httpx.MockTransport(_answer)) as session:
        assert session.concurrency == 2
        assert session.config.concurrency == 2
        assert session.config.token_provider is provide_token
    with pytest.raises(la.InvalidInputError) as info:
        sync.LightlySession.from_config(cfg, concurrency=0)
    assert info.value.field == "concurrency"
