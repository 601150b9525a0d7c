"""Every exception, BulkResult and model pickles and unpickles with its attributes, also across
a ``multiprocessing`` (spawn) boundary; no secret travels in a pickle."""

from __future__ import annotations

import collections.abc
import enum
import inspect
import multiprocessing
import pickle
import types
import typing
from typing import Any

import attrs
import httpx
import pytest

import lightly_async as la
from lightly_async import errors, models
from lightly_async.bitmask import BitMask
from lightly_async.bulk import BulkResult, run_bulk

TOKEN = "tok-SECRET-pickle-0123456789"
DATASETS = [f"{i:024x}" for i in range(1, 6)]


# -- building a representative instance of any model ---------------------------------------
def value_for(tp: Any, depth: int) -> Any:
    """A value of type ``tp``: the first enum member, a nested model, a one-item list, …"""
    origin = typing.get_origin(tp)
    if tp is Any:
        return {"free": [1, "form", None]}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        richer = [a for a in options if attrs.has(a) or (
            isinstance(a, type) and issubclass(a, enum.Enum))]
        return value_for((richer or options)[0], depth)
    if origin is typing.Literal:
        return typing.get_args(tp)[0]
    if origin in (list, collections.abc.Sequence):
        return [value_for(typing.get_args(tp)[0], depth + 1)]
    if origin in (dict, collections.abc.Mapping):
        key, value = typing.get_args(tp)
        return {value_for(key, depth + 1): value_for(value, depth + 1)}
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return list(tp)[-1]
        scalars: dict[type, Any] = {bool: True, int: 7, float: 0.5, str: "text", bytes: b"b",
                                    BitMask: BitMask(0b1011)}
        if tp in scalars:
            return scalars[tp]
        if attrs.has(tp):
            return build(tp, depth + 1)
    raise AssertionError(f"no example value for {tp!r}")


def build(cls: type, depth: int = 0) -> Any:
    """An instance of the model ``cls`` with every field set (optional ones too, down to a
    depth: below it the defaults)."""
    attrs.resolve_types(cls)
    kwargs = {field.alias: value_for(field.type, depth) for field in attrs.fields(cls)
              if depth < 5 or field.default is attrs.NOTHING}
    return cls(**kwargs)


MODEL_CLASSES = [getattr(models, name) for name in models.__all__
                 if isinstance(getattr(models, name), type)]


def test_the_walk_covers_every_model_class() -> None:
    kinds = {"attrs": 0, "enum": 0}
    for cls in MODEL_CLASSES:
        kinds["attrs" if attrs.has(cls) else "enum"] += 1
        assert attrs.has(cls) or issubclass(cls, enum.Enum), cls
    assert kinds["attrs"] > 100
    assert kinds["enum"] > 30


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_model_round_trips(cls: type) -> None:
    instance = build(cls) if attrs.has(cls) else list(cls)[-1]
    back = pickle.loads(pickle.dumps(instance))
    assert back == instance
    assert type(back) is cls
    if attrs.has(cls):
        for field in attrs.fields(cls):
            assert getattr(back, field.name) == getattr(instance, field.name)


# -- exceptions ------------------------------------------------------------------------------
def _bulk_result() -> BulkResult[str, Any]:
    result: BulkResult[str, Any] = BulkResult()
    result.succeeded.append("a")
    result.results["a"] = models.CreateEntityResponse(id="0" * 24)
    result.failed["b"] = errors.NotFoundError(
        "no such sample", status_code=404, method="GET", url="https://api.test/v1/x",
        request_id="req-1", code="NOT_FOUND", body={"code": "NOT_FOUND"})
    result.failed["c"] = errors.InvalidInputError("sample_id", "not an id")
    result.not_attempted.append("d")
    result.skipped.append("e")
    result.stopped_by = errors.APIConnectionError("refused", may_have_been_sent=False)
    return result


API = {"method": "POST", "url": "https://api.test/v1/datasets/x?taskName=t",
       "code": "SOME_CODE", "request_id": "req-9", "body": {"code": "SOME_CODE", "n": [1]}}


def make_error(cls: type[BaseException]) -> BaseException:
    """An instance of ``cls`` with representative values for every attribute it has."""
    if issubclass(cls, errors.RedirectError):
        return cls("redirect", status_code=307, location="https://elsewhere.test/p", **API)
    if issubclass(cls, errors.APIStatusError):
        return cls("bad", status_code=429, retry_after=2.5, **API)
    if issubclass(cls, errors.TLSCertificateError):
        return cls("untrusted", **API)
    if issubclass(cls, errors.APIConnectionError):
        return cls("reset", may_have_been_sent=False, **API)
    if issubclass(cls, errors.ResponseTooLargeError):
        return cls("too big", limit=10, size=11, status_code=200, **API)
    if issubclass(cls, errors.APIError):
        return cls("odd body", status_code=200, **API)
    if issubclass(cls, errors.InvalidInputError):
        return cls("predictions['x'][0].score", "must be <= 1")
    if issubclass(cls, errors.NameNotFoundError):
        return cls("tag", "initial", by="named", known=["a", "b"])
    if issubclass(cls, errors.AmbiguousNameError):
        return cls("dataset", "same", ["1" * 24, "2" * 24])
    if issubclass(cls, errors.BulkError):
        result = _bulk_result()
        return cls(result, [e for e in result.failed.values() if isinstance(e, Exception)])
    if issubclass(cls, errors.JobFailedError):
        return cls(build(models.JobStatusData))
    if issubclass(cls, errors.RunFailedError):
        return cls("FAILED", "out of memory", build(models.DockerRunData))
    return cls("what happened")


ERROR_CLASSES = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
                 if issubclass(cls, BaseException) and cls.__module__ == errors.__name__]


def same(a: Any, b: Any) -> bool:
    """Equal, exceptions compared by type, args, text and attributes (they have no ``==``)."""
    if isinstance(a, BaseException):
        return (type(a) is type(b) and a.args == b.args and str(a) == str(b)
                and repr(a) == repr(b) and same(vars(a), vars(b)))
    if isinstance(a, BulkResult):
        return type(b) is BulkResult and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(BulkResult))
    if isinstance(a, dict):
        return (isinstance(b, dict) and list(a) == list(b)
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return bool(a == b)


def test_the_walk_covers_every_exception_class() -> None:
    assert set(errors.__all__) <= {cls.__name__ for cls in ERROR_CLASSES}
    assert len(ERROR_CLASSES) >= 26


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_exception_round_trips_with_its_attributes(cls: type[BaseException]) -> None:
    error = make_error(cls)
    error.add_note("a note travels too")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert same(back, error)
    assert back.__notes__ == ["a note travels too"]
    assert vars(back).keys() == vars(error).keys()
    if isinstance(error, errors.APIError):
        assert back.status_code == error.status_code
        assert back.request_id == "req-9"
        assert back.url == API["url"]


def test_status_errors_keep_their_specific_attributes() -> None:
    back = pickle.loads(pickle.dumps(make_error(errors.RateLimitError)))
    assert back.retry_after == 2.5
    redirect = pickle.loads(pickle.dumps(make_error(errors.RedirectError)))
    assert redirect.location == "https://elsewhere.test/p"
    assert redirect.status_code == 307


def test_bulk_result_round_trips() -> None:
    result = _bulk_result()
    back = pickle.loads(pickle.dumps(result))
    assert same(back, result)
    assert back.total == 5
    assert not back.ok
    assert repr(back) == repr(result)


# -- a real run, across a spawned process, with no secret in its pickle ----------------------
def _answer(request: httpx.Request) -> httpx.Response:
    dataset = request.url.path.split("/")[3]
    echoed = {"code": "X", "error": f"bad token {TOKEN} for {request.url}"}
    if dataset == DATASETS[0]:
        return httpx.Response(404, json=echoed)
    if dataset == DATASETS[1]:
        return httpx.Response(429, json=echoed, headers={"Retry-After": "3"})
    if dataset == DATASETS[2]:
        return httpx.Response(200, json={"not": "a list"})
    return httpx.Response(200, json=[])


async def _bulk_in_child(config: la.SessionConfig) -> bytes:
    async with la.LightlySession.from_config(
            config, transport=httpx.MockTransport(_answer)) as session:
        result = await run_bulk(session, [
            (dataset, session.dataset(dataset).tags.list) for dataset in DATASETS])
    return pickle.dumps(result)


def child_run(config: la.SessionConfig) -> bytes:
    """Run in a spawned process: a session from the shipped config (its token from the
    child's environment), a bulk run with failures, pickled there."""
    import anyio

    return anyio.run(_bulk_in_child, config)


def test_bulk_result_with_failures_crosses_a_spawned_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICKLE_TEST_TOKEN", TOKEN)  # the child inherits the environment
    config = la.SessionConfig(base_url="https://api.test", max_retries=0,
                              token_env="PICKLE_TEST_TOKEN")
    assert TOKEN.encode() not in pickle.dumps(config)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        data = pool.apply(child_run, (config,))
    assert TOKEN.encode() not in data
    result = pickle.loads(data)
    assert isinstance(result, BulkResult)
    assert sorted(result.succeeded) == DATASETS[3:]
    assert result.results[DATASETS[3]] == []
    missing = result.failed[DATASETS[0]]
    assert isinstance(missing, errors.NotFoundError)
    assert missing.status_code == 404
    assert missing.code == "X"
    assert missing.url == f"https://api.test/v1/datasets/{DATASETS[0]}/tags"
    limited = result.failed[DATASETS[1]]
    assert isinstance(limited, errors.RateLimitError)
    assert limited.retry_after == 3.0
    assert isinstance(result.failed[DATASETS[2]], errors.DecodeError)
    for error in result.failed.values():
        assert TOKEN not in str(error)
        assert TOKEN not in repr(vars(error))
    assert TOKEN.encode() not in pickle.dumps(result)
