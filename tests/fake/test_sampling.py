"""Samplings and jobs: selection methods, stopping conditions, tag creation on job finish."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fake.api import assert_error, create_tag, initial_tag
from lightly_async.testing import FakeLightly


def sampling_url(ds: str, embedding: str) -> str:
    return f"/v1/datasets/{ds}/embeddings/{embedding}/sampling"


def body(method: str = "RANDOM", n: float | None = 2, **extra: Any) -> dict[str, Any]:
    config = {} if n is None else {"stoppingCondition": {"nSamples": n}}
    return {"newTagName": "picked", "method": method, "config": config, **extra}


async def run(client: httpx.AsyncClient, ds: str, emb: str, **kw: Any) -> dict[str, Any]:
    """Trigger, poll the job until it is done, return the new tag."""
    r = await client.post(sampling_url(ds, emb), json=body(**kw))
    assert r.status_code == 200, r.text
    job_id = r.json()["jobId"]
    for _ in range(10):
        job = (await client.get(f"/v1/jobs/{job_id}")).json()
        if job["status"] in ("FINISHED", "FAILED"):
            break
    assert job["status"] == "FINISHED", job
    tag: dict[str, Any] = (
        await client.get(f"/v1/datasets/{ds}/tags/{job['result']['data']}")
    ).json()
    return tag


@pytest.fixture
def emb(fake: FakeLightly, ds: str) -> str:
    # points on a line: 0, 1, 2, 10, 11 -> farthest-point picks spread out
    return fake.add_embedding(ds, [[0.0], [1.0], [2.0], [10.0], [11.0]])


@pytest.mark.asyncio
async def test_job_progresses_waiting_running_finished_when_polled(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, emb: str
):
    await initial_tag(client, ds)
    job_id = (await client.post(sampling_url(ds, emb), json=body())).json()["jobId"]
    states = [(await client.get(f"/v1/jobs/{job_id}")).json() for _ in range(4)]
    assert [s["status"] for s in states] == ["WAITING", "RUNNING", "FINISHED", "FINISHED"]
    assert states[0]["waitTimeTillNextPoll"] == 0
    assert states[2]["result"]["type"] == "SAMPLING"
    assert states[2]["result"]["data"] == states[3]["result"]["data"]
    names = [t.name for t in fake.tags(ds)]
    assert names == ["initial-tag", "picked"]


@pytest.mark.asyncio
async def test_tag_is_created_only_when_the_job_finishes(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, emb: str
):
    await initial_tag(client, ds)
    job_id = (await client.post(sampling_url(ds, emb), json=body())).json()["jobId"]
    await client.get(f"/v1/jobs/{job_id}")
    assert len(fake.tags(ds)) == 1
    fake.job_steps = ()
    job2 = (await client.post(sampling_url(ds, emb), json=body(newTagName="instant"))).json()
    assert [t.name for t in fake.tags(ds)] == ["initial-tag", "instant"]
    assert (await client.get(f"/v1/jobs/{job2['jobId']}")).json()["status"] == "FINISHED"


@pytest.mark.asyncio
async def test_random_sampling_picks_n_samples_with_creator_and_parent_when_finished(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, emb: str
):
    init = await initial_tag(client, ds)
    tag = await run(client, ds, emb, method="RANDOM", n=3)
    assert tag["name"] == "picked"
    assert tag["prevTagId"] == init
    assert tag["totSize"] == 5
    assert bin(int(tag["bitMaskData"], 16)).count("1") == 3
    assert fake.tag_creator(ds, tag["id"]) == "SAMPLER_RANDOM"


@pytest.mark.asyncio
async def test_random_sampling_is_reproducible_when_the_seed_is_the_same():
    masks = []
    for _ in range(2):
        fake = FakeLightly(seed=7, api="seed")
        ds = fake.create_dataset("x", [f"{i}.jpg" for i in range(30)])
        emb = fake.add_embedding(ds)
        async with httpx.AsyncClient(
            transport=fake.transport(), base_url="http://x", params={"token": fake.token}
        ) as c:
            await initial_tag(c, ds)
            masks.append((await run(c, ds, emb, method="RANDOM", n=10))["bitMaskData"])
    assert masks[0] == masks[1]


@pytest.mark.asyncio
@pytest.mark.parametrize("method", ["CORESET", "CORAL"])
async def test_coreset_spreads_picks_over_the_embedding_when_preselected_seeds_it(
    client: httpx.AsyncClient, ds: str, emb: str, method: str
):
    init = await initial_tag(client, ds)
    pre = await create_tag(client, ds, "labelled", init, "0x1")  # index 0 at x=0
    tag = await run(client, ds, emb, method=method, n=3, preselectedTagId=pre)
    # farthest from {0}: 11 (index 4); then farthest from {0, 11}: 2 or 10 -> 10 is 1 away, 2 is 2
    assert tag["bitMaskData"] == hex(0b10101)
    assert tag["prevTagId"] == pre
    assert tag["preselectedTagId"] == pre


@pytest.mark.asyncio
async def test_coreset_stops_early_when_min_distance_would_be_undercut(
    client: httpx.AsyncClient, ds: str, emb: str
):
    init = await initial_tag(client, ds)
    pre = await create_tag(client, ds, "labelled", init, "0x1")
    r = await client.post(
        sampling_url(ds, emb),
        json={
            "newTagName": "far",
            "method": "CORESET",
            "preselectedTagId": pre,
            "config": {"stoppingCondition": {"nSamples": -1, "minDistance": 5}},
        },
    )
    job_id = r.json()["jobId"]
    for _ in range(3):
        job = (await client.get(f"/v1/jobs/{job_id}")).json()
    tag = (await client.get(f"/v1/datasets/{ds}/tags/{job['result']['data']}")).json()
    assert tag["bitMaskData"] == hex(0b10001)  # x=0 and x=11; the next best (x=2) is 2 < 5 away


@pytest.mark.asyncio
@pytest.mark.parametrize(("n", "count"), [(0.4, 2), (1, 1), (3, 3), (None, 5), (-1, 5), (99, 5)])
async def test_n_samples_is_a_fraction_below_one_and_a_count_from_one_when_interpreted(
    client: httpx.AsyncClient, ds: str, emb: str, n: float | None, count: int
):
    await initial_tag(client, ds)
    tag = await run(client, ds, emb, method="RANDOM", n=n)
    assert bin(int(tag["bitMaskData"], 16)).count("1") == count


@pytest.mark.asyncio
async def test_sampling_draws_only_from_the_query_tag_and_keeps_preselected_when_both_given(
    client: httpx.AsyncClient, ds: str, emb: str
):
    init = await initial_tag(client, ds)
    query = await create_tag(client, ds, "pool", init, "0xc")  # indices 2, 3
    pre = await create_tag(client, ds, "pre", init, "0x10")  # index 4
    tag = await run(client, ds, emb, method="RANDOM", n=10, queryTagId=query, preselectedTagId=pre)
    assert tag["bitMaskData"] == "0x1c"
    assert tag["queryTagId"] == query


@pytest.mark.asyncio
async def test_active_learning_is_refused_when_no_scores_exist(
    client: httpx.AsyncClient, ds: str, emb: str
):
    await initial_tag(client, ds)
    r = await client.post(
        sampling_url(ds, emb), json=body("ACTIVE_LEARNING", scoreType="uncertainty_margin")
    )
    assert_error(r, 400, "TAG_NO_SCORES_AVAILABLE")


@pytest.mark.asyncio
async def test_active_learning_picks_the_highest_scores_when_scores_were_added(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, emb: str
):
    await initial_tag(client, ds)
    fake.add_scores(ds, "uncertainty_margin", [0.1, 0.9, 0.2, 0.8, 0.3])
    tag = await run(client, ds, emb, method="ACTIVE_LEARNING", scoreType="uncertainty_margin")
    assert tag["bitMaskData"] == hex(0b01010)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"method": "MAGIC"}, 400, "MALFORMED_REQUEST"),
        ({"newTagName": "x"}, 400, "MALFORMED_REQUEST"),
        ({"config": None}, 400, "MALFORMED_REQUEST"),
        ({"queryTagId": "a" * 24}, 400, "TAG_QUERYTAG_NOT_IN_DATASET"),
        ({"preselectedTagId": "a" * 24}, 400, "TAG_PRESELECTEDTAG_NOT_IN_DATASET"),
        ({"newTagName": "initial-tag"}, 409, "TAG_NAME_EXISTS"),
    ],
)
async def test_trigger_is_refused_when_the_request_is_invalid(
    client: httpx.AsyncClient, ds: str, emb: str, change: dict[str, Any], status: int, code: str
):
    await initial_tag(client, ds)
    r = await client.post(sampling_url(ds, emb), json={**body(), **change})
    assert_error(r, status, code)


@pytest.mark.asyncio
async def test_trigger_is_404_embedding_unknown_when_the_embedding_does_not_exist(
    client: httpx.AsyncClient, ds: str
):
    await initial_tag(client, ds)
    assert_error(
        await client.post(sampling_url(ds, "b" * 24), json=body()), 404, "EMBEDDING_UNKNOWN"
    )


@pytest.mark.asyncio
async def test_trigger_is_400_when_the_dataset_has_no_initial_tag(
    client: httpx.AsyncClient, ds: str, emb: str
):
    assert_error(
        await client.post(sampling_url(ds, emb), json=body()), 400, "TAG_NO_TAG_IN_DATASET"
    )


@pytest.mark.asyncio
async def test_job_ends_failed_with_the_error_when_fail_job_was_called(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, emb: str
):
    await initial_tag(client, ds)
    fake.job_steps = ["RUNNING"]
    fake.job_poll_interval = 2
    job_id = (await client.post(sampling_url(ds, emb), json=body())).json()["jobId"]
    fake.fail_job(job_id, "out of memory")
    first = (await client.get(f"/v1/jobs/{job_id}")).json()
    assert (first["status"], first["waitTimeTillNextPoll"]) == ("RUNNING", 2)
    last = (await client.get(f"/v1/jobs/{job_id}")).json()
    assert (last["status"], last["error"]) == ("FAILED", "out of memory")
    assert "result" not in last
    assert len(fake.tags(ds)) == 1


@pytest.mark.asyncio
async def test_job_is_404_job_unknown_when_the_id_was_never_issued(client: httpx.AsyncClient):
    assert_error(await client.get("/v1/jobs/nope"), 404, "JOB_UNKNOWN")


@pytest.mark.asyncio
async def test_job_is_403_when_another_user_polls_it(
    fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient, ds: str, emb: str
):
    await initial_tag(client, ds)
    job_id = (await client.post(sampling_url(ds, emb), json=body())).json()["jobId"]
    fake.add_user("someone-else")
    r = await anon.get(f"/v1/jobs/{job_id}", params={"token": "someone-else"})
    assert_error(r, 403, "FORBIDDEN")


@pytest.mark.asyncio
@pytest.mark.parametrize("number", ["1e400", "-1e400", "Infinity", "NaN"])
async def test_trigger_is_400_when_n_samples_is_not_a_finite_number(
    client: httpx.AsyncClient, ds: str, emb: str, number: str
):
    await initial_tag(client, ds)
    raw = json.dumps(body(n=12345)).replace("12345", number)
    r = await client.post(
        sampling_url(ds, emb), content=raw, headers={"content-type": "application/json"}
    )
    assert_error(r, 400, "MALFORMED_REQUEST")
