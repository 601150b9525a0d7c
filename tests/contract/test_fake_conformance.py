"""The fake against the spec: every operation has a route, and its answers match the schemas.

``tests/fake`` validates every answer it receives (see ``tests/fake/conftest.py``); the tour
here drives each of the 30 operations once more and checks them all were seen and valid.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.routing import Route

from contract.openapi_check import SpecChecker, SpecError, operations
from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly
from lightly_async.testing._app import METHOD_NOT_ALLOWED


def _routes(fake: FakeLightly) -> set[tuple[str, str]]:
    found = set()
    for route in fake.app.routes:
        assert isinstance(route, Route)
        if route.name == METHOD_NOT_ALLOWED:
            continue  # answers 405 for the methods its path does not have
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_every_spec_operation_has_a_route_when_the_app_is_built():
    spec_ops = set(operations())
    assert len(spec_ops) == 30
    missing = spec_ops - _routes(FakeLightly(api="seed"))
    assert not missing


def test_checker_rejects_an_answer_when_it_breaks_the_schema():
    checker = SpecChecker()
    ds = "a" * 24
    with pytest.raises(SpecError, match="required"):
        checker.check("GET", f"/v1/datasets/{ds}/tags/{ds}", 200, b'{"id": "x"}')
    with pytest.raises(SpecError, match="not in the spec"):
        checker.check("POST", f"/v1/datasets/{ds}/tags", 200, b'{"id": "' + ds.encode() + b'"}')
    with pytest.raises(SpecError, match="expected no body"):
        checker.check("PUT", f"/v1/datasets/{ds}/datasource", 200, b"{}")


@pytest.mark.asyncio
async def test_every_operation_answers_per_the_spec_when_driven_through_a_tour():
    fake = FakeLightly(seed=0, api="seed")
    fake.job_steps = ()
    checker = SpecChecker()
    ds = fake.create_dataset("tour", ["a.jpg", "b.jpg", "c.jpg"])
    sid = fake.sample_ids(ds)[0]
    emb = fake.add_embedding(ds)
    fake.add_raw_files(ds, [("r1.jpg", 10), ("r2.jpg", 20)])
    fake.page_size = 1
    statuses: list[int] = []

    async def check(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        checker.check(
            request.method,
            request.url.path,
            response.status_code,
            response.content,
            dict(request.url.params),
        )
        statuses.append(response.status_code)

    async with httpx.AsyncClient(
        transport=fake.transport(),
        base_url=FAKE_BASE_URL,
        params={"token": DEFAULT_TOKEN},
        event_hooks={"response": [check]},
    ) as c:
        v = {"predictionUUIDTimestamp": 1}
        samples, tags, pred = (
            f"/users/datasets/{ds}/samples",
            f"/v1/datasets/{ds}/tags",
            f"/v1/datasets/{ds}/predictions",
        )
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("GET", samples, {}),
            ("GET", samples, {"params": {"mode": "ids"}}),
            ("GET", f"{samples}/{sid}", {}),
            ("PUT", f"{samples}/{sid}", {"json": {"sample": {"_id": sid, "isThumbnail": False}}}),
            ("GET", f"{samples}/{sid}/readurl", {"params": {"type": "thumbnail"}}),
            ("GET", f"{samples}/{sid}/writeurl", {"params": {"fileName": "a.jpg"}}),
            (
                "PUT",
                f"/v1/datasets/{ds}/datasource",
                {"json": {"type": "LIGHTLY", "fullPath": "x"}},
            ),
            ("GET", f"/v1/datasets/{ds}/datasource", {}),
            ("GET", f"/v1/datasets/{ds}/datasource/verify", {}),
            (
                "PUT",
                f"/v1/datasets/{ds}/datasource/processedUntilTimestamp",
                {"json": {"processedUntilTimestamp": 5}},
            ),
            ("GET", f"/v1/datasets/{ds}/datasource/processedUntilTimestamp", {}),
            ("GET", f"/v1/datasets/{ds}/datasource/list", {"params": {"from": 0, "to": 100}}),
            (
                "POST",
                f"{pred}/tasks",
                {
                    "params": v,
                    "json": {
                        "name": "cls",
                        "type": "CLASSIFICATION",
                        "categories": [{"id": 0, "name": "cat"}],
                    },
                },
            ),
            ("GET", f"{pred}/tasks", {}),
            ("GET", f"{pred}/tasks/cls", {"params": v}),
            (
                "POST",
                f"{pred}/samples/{sid}",
                {
                    "params": v,
                    "json": [
                        {"type": "CLASSIFICATION", "taskName": "cls", "categoryId": 0, "score": 0.5}
                    ],
                },
            ),
            ("GET", f"{pred}/samples/{sid}", {"params": v}),
            ("GET", f"{pred}/samples", {"params": {**v, "taskName": "cls"}}),
            ("POST", f"{tags}/initial", {"json": {"imgType": "full"}}),
        ]
        for method, path, kwargs in calls:
            await c.request(method, path, **kwargs)
        init = (await c.get(tags)).json()[0]["id"]
        first = {"name": "first", "prevTagId": init, "bitMaskData": "0x1", "totSize": 3}
        t1 = (await c.post(tags, json=first)).json()["id"]
        await c.get(f"{tags}/{t1}")
        await c.put(f"{tags}/{t1}", json={"name": "renamed"})
        await c.get(f"{tags}/{t1}/filenames")
        await c.get(f"{tags}/{t1}/export/LabelBoxDataRows", params={"expiresIn": 5})
        await c.get(f"{tags}/{t1}/export/LabelStudioTasks")
        arith = {"tagId1": init, "tagId2": t1, "operation": "DIFFERENCE"}
        await c.post(f"{tags}/arithmetics/bitmask", json=arith)
        await c.post(f"{tags}/arithmetics", json=arith)
        await c.post(f"{tags}/arithmetics", json={**arith, "newTagName": "rest"})
        fake.add_samples(ds, ["d.jpg"])
        await c.post(
            f"{tags}/upsize", json={"upsizeTagName": "more", "upsizeTagCreator": "USER_PIP"}
        )
        await c.post(
            f"/v1/datasets/{ds}/embeddings/{emb}/sampling",
            json={"newTagName": "sampled", "method": "CORESET", "config": {}},
        )
        await c.delete(f"{tags}/{t1}")
        assert all(status < 400 for status in statuses), statuses
        # and error answers, per status the spec lists (the hook validates their bodies)
        assert (await c.get(f"/v1/datasets/{'0' * 24}/tags")).status_code == 404
        assert (await c.get("/v1/datasets/bad/tags")).status_code == 400
        assert (await c.get(f"{tags}/{init}", params={"token": "nope"})).status_code == 401

    seen = {(m, t) for m, t, _ in checker.checked}
    assert set(operations()) <= seen, sorted(set(operations()) - seen)
    assert {s for _, _, s in checker.checked} >= {200, 201, 400, 401, 404}


def test_checker_takes_an_error_body_when_a_mode_ids_listing_fails():
    checker = SpecChecker()
    error = b'{"code": "DATASET_UNKNOWN", "message": "no dataset"}'
    path = f"/users/datasets/{'a' * 24}/samples"
    checker.check("GET", path, 404, error, {"mode": "ids"})  # NOTES 4 only shapes the 200
    with pytest.raises(SpecError):
        checker.check("GET", path, 200, error, {"mode": "ids"})
