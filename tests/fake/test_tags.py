"""Tags: initial tag, create/get/list/update/delete, upsize, arithmetic, filenames, exports."""

from __future__ import annotations

import httpx
import pytest

from fake.api import FILES, assert_error, create_tag, initial_tag
from lightly_async.testing import FakeLightly


def tags_url(ds: str) -> str:
    return f"/v1/datasets/{ds}/tags"


# -- initial tag ----------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_initial_tag_holds_every_sample_when_created(client: httpx.AsyncClient, ds: str):
    tag_id = await initial_tag(client, ds)
    tag = (await client.get(f"{tags_url(ds)}/{tag_id}")).json()
    assert tag["name"] == "initial-tag"
    assert tag["prevTagId"] is None
    assert (tag["bitMaskData"], tag["totSize"], tag["datasetId"]) == ("0x1f", 5, ds)
    assert isinstance(tag["createdAt"], int)


@pytest.mark.asyncio
async def test_initial_tag_uses_the_given_name_when_one_is_sent(client: httpx.AsyncClient, ds: str):
    r = await client.post(f"{tags_url(ds)}/initial", json={"imgType": "meta", "name": "all"})
    assert r.status_code == 201
    assert [t["name"] for t in (await client.get(tags_url(ds))).json()] == ["all"]


@pytest.mark.asyncio
async def test_initial_tag_is_409_when_created_twice(client: httpx.AsyncClient, ds: str):
    await initial_tag(client, ds)
    r = await client.post(f"{tags_url(ds)}/initial", json={"imgType": "full", "name": "again"})
    assert_error(r, 409, "TAG_INITIAL_EXISTS")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body", [{}, {"imgType": "video"}, {"imgType": "full", "creator": "ROBOT"}, {"imgType": 1}]
)
async def test_initial_tag_is_400_when_the_body_violates_the_schema(
    client: httpx.AsyncClient, ds: str, body: object
):
    r = await client.post(f"{tags_url(ds)}/initial", json=body)
    assert_error(r, 400, "MALFORMED_REQUEST")


# -- create / get / list --------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_created_tag_is_listed_with_its_fields_when_valid(client: httpx.AsyncClient, ds: str):
    init = await initial_tag(client, ds)
    tag_id = await create_tag(
        client, ds, "my tag.v1", init, "0x5", creator="USER_PIP", changes={"why": "test"}
    )
    tags = (await client.get(tags_url(ds))).json()
    assert [t["id"] for t in tags] == [init, tag_id]
    mine = tags[1]
    assert (mine["prevTagId"], mine["bitMaskData"], mine["totSize"]) == (init, "0x5", 5)
    assert mine["changes"] == {"why": "test"}


@pytest.mark.asyncio
async def test_create_is_409_tag_name_exists_when_the_name_is_taken(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    await create_tag(client, ds, "dup", init, "0x1")
    r = await client.post(
        tags_url(ds), json={"name": "dup", "prevTagId": init, "bitMaskData": "0x2", "totSize": 5}
    )
    assert_error(r, 409, "TAG_NAME_EXISTS")


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["ab", "-leading", "bad/slash", "x" * 2])
async def test_create_is_400_when_the_name_breaks_the_tag_name_pattern(
    client: httpx.AsyncClient, ds: str, name: str
):
    init = await initial_tag(client, ds)
    r = await client.post(
        tags_url(ds), json={"name": name, "prevTagId": init, "bitMaskData": "0x1", "totSize": 5}
    )
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("prevTagId", "TAG_PREVTAG_NOT_IN_DATASET"),
        ("queryTagId", "TAG_QUERYTAG_NOT_IN_DATASET"),
        ("preselectedTagId", "TAG_PRESELECTEDTAG_NOT_IN_DATASET"),
    ],
)
async def test_create_is_400_when_a_referenced_tag_is_not_in_the_dataset(
    client: httpx.AsyncClient, ds: str, field: str, code: str
):
    init = await initial_tag(client, ds)
    body = {"name": "ref", "prevTagId": init, "bitMaskData": "0x1", "totSize": 5}
    body[field] = "a" * 24
    r = await client.post(tags_url(ds), json=body)
    assert_error(r, 400, code)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("mask", "tot"), [("0x20", 5), ("0x1", 6), ("0x1", -1), ("0xZ", 5), ("1f", 5)]
)
async def test_create_is_400_when_bits_or_tot_size_are_out_of_range(
    client: httpx.AsyncClient, ds: str, mask: str, tot: int
):
    init = await initial_tag(client, ds)
    body = {"name": "range", "prevTagId": init, "bitMaskData": mask, "totSize": tot}
    r = await client.post(tags_url(ds), json=body)
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_create_is_400_when_tot_size_is_sent_as_a_string(client: httpx.AsyncClient, ds: str):
    init = await initial_tag(client, ds)
    body = {"name": "typed", "prevTagId": init, "bitMaskData": "0x1", "totSize": "5"}
    assert_error(await client.post(tags_url(ds), json=body), 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_get_is_404_tag_unknown_when_the_tag_does_not_exist(
    client: httpx.AsyncClient, ds: str
):
    assert_error(await client.get(f"{tags_url(ds)}/{'c' * 24}"), 404, "TAG_UNKNOWN")


@pytest.mark.asyncio
async def test_get_is_404_when_the_tag_belongs_to_another_dataset(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    other = fake.create_dataset("other", ["z.jpg"])
    tag_id = await initial_tag(client, other)
    assert_error(await client.get(f"{tags_url(ds)}/{tag_id}"), 404, "TAG_UNKNOWN")


# -- update / delete ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_update_renames_the_tag_when_the_name_is_free(client: httpx.AsyncClient, ds: str):
    init = await initial_tag(client, ds)
    r = await client.put(f"{tags_url(ds)}/{init}", json={"name": "everything"})
    assert (r.status_code, r.content) == (200, b"")
    tag = (await client.get(f"{tags_url(ds)}/{init}")).json()
    assert tag["name"] == "everything"
    assert tag["lastModifiedAt"] >= tag["createdAt"]


@pytest.mark.asyncio
async def test_update_is_409_when_renaming_onto_another_tags_name(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    other = await create_tag(client, ds, "other", init, "0x1")
    r = await client.put(f"{tags_url(ds)}/{other}", json={"name": "initial-tag"})
    assert_error(r, 409, "TAG_NAME_EXISTS")


@pytest.mark.asyncio
async def test_delete_removes_a_leaf_tag_when_nothing_depends_on_it(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    leaf = await create_tag(client, ds, "leaf", init, "0x1")
    r = await client.delete(f"{tags_url(ds)}/{leaf}")
    assert (r.status_code, r.content) == (200, b"")
    assert [t["id"] for t in (await client.get(tags_url(ds))).json()] == [init]


@pytest.mark.asyncio
async def test_delete_is_refused_when_the_tag_is_the_initial_tag(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    assert_error(await client.delete(f"{tags_url(ds)}/{init}"), 400, "TAG_UNDELETABLE_IS_INITIAL")


@pytest.mark.asyncio
@pytest.mark.parametrize("field", ["prevTagId", "queryTagId", "preselectedTagId"])
async def test_delete_is_refused_when_another_tag_references_it(
    client: httpx.AsyncClient, ds: str, field: str
):
    init = await initial_tag(client, ds)
    parent = await create_tag(client, ds, "parent", init, "0x3")
    refs = {"prevTagId": init, field: parent}
    prev = refs.pop("prevTagId")
    await create_tag(client, ds, "child", prev, "0x1", **refs)
    r = await client.delete(f"{tags_url(ds)}/{parent}")
    assert_error(r, 400, "TAG_UNDELETABLE_NOT_A_LEAF")


# -- upsize ---------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_upsize_creates_a_tag_with_exactly_the_new_samples_when_samples_were_added(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    older = await create_tag(client, ds, "older", init, "0x3")
    fake.add_samples(ds, ["f.jpg", "g.jpg"])
    r = await client.post(
        f"{tags_url(ds)}/upsize",
        json={"upsizeTagName": "20240101_10h00m00s", "upsizeTagCreator": "USER_PIP"},
    )
    assert r.status_code == 201
    new = (await client.get(f"{tags_url(ds)}/{r.json()['id']}")).json()
    assert (new["bitMaskData"], new["totSize"], new["prevTagId"]) == ("0x60", 7, init)
    assert new["changes"] == {"upsize": {"from": 5, "to": 7}}
    assert (await client.get(f"{tags_url(ds)}/{new['id']}/filenames")).json() == ["f.jpg", "g.jpg"]
    grown = (await client.get(f"{tags_url(ds)}/{init}")).json()
    assert (grown["bitMaskData"], grown["totSize"]) == ("0x7f", 7)
    kept = (await client.get(f"{tags_url(ds)}/{older}")).json()
    assert (kept["bitMaskData"], kept["totSize"]) == ("0x3", 7)


@pytest.mark.asyncio
async def test_upsize_is_400_when_there_is_no_initial_tag(client: httpx.AsyncClient, ds: str):
    r = await client.post(
        f"{tags_url(ds)}/upsize", json={"upsizeTagName": "upsized", "upsizeTagCreator": "USER_PIP"}
    )
    assert_error(r, 400, "TAG_NO_TAG_IN_DATASET")


# -- arithmetic -----------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("operation", "expected"), [("UNION", "0x7"), ("INTERSECTION", "0x2"), ("DIFFERENCE", "0x1")]
)
async def test_arithmetics_bitmask_computes_the_set_operation_when_given_two_tags(
    client: httpx.AsyncClient, ds: str, operation: str, expected: str
):
    init = await initial_tag(client, ds)
    t1 = await create_tag(client, ds, "one", init, "0x3")
    t2 = await create_tag(client, ds, "two", init, "0x6")
    body = {"tagId1": t1, "tagId2": t2, "operation": operation, "newTagName": "ignored"}
    r = await client.post(f"{tags_url(ds)}/arithmetics/bitmask", json=body)
    assert r.json() == {"bitMaskData": expected}
    assert len((await client.get(tags_url(ds))).json()) == 3  # never creates a tag


@pytest.mark.asyncio
async def test_arithmetics_creates_a_tag_and_returns_its_id_when_new_tag_name_is_given(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    t1 = await create_tag(client, ds, "one", init, "0x3")
    t2 = await create_tag(client, ds, "two", init, "0x6")
    body = {"tagId1": t1, "tagId2": t2, "operation": "UNION", "newTagName": "both"}
    r = await client.post(f"{tags_url(ds)}/arithmetics", json=body)
    assert r.status_code == 200
    new = (await client.get(f"{tags_url(ds)}/{r.json()['id']}")).json()
    assert (new["name"], new["bitMaskData"], new["prevTagId"]) == ("both", "0x7", t1)


@pytest.mark.asyncio
async def test_arithmetics_returns_the_bitmask_when_no_new_tag_name_is_given(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    t1 = await create_tag(client, ds, "one", init, "0x3")
    body = {"tagId1": init, "tagId2": t1, "operation": "DIFFERENCE"}
    r = await client.post(f"{tags_url(ds)}/arithmetics", json=body)
    assert r.json() == {"bitMaskData": "0x1c"}


@pytest.mark.asyncio
async def test_arithmetics_is_400_when_the_operation_is_unknown(client: httpx.AsyncClient, ds: str):
    init = await initial_tag(client, ds)
    body = {"tagId1": init, "tagId2": init, "operation": "XOR"}
    assert_error(
        await client.post(f"{tags_url(ds)}/arithmetics", json=body), 400, "MALFORMED_REQUEST"
    )


@pytest.mark.asyncio
async def test_arithmetics_is_404_when_a_tag_is_unknown(client: httpx.AsyncClient, ds: str):
    init = await initial_tag(client, ds)
    body = {"tagId1": init, "tagId2": "d" * 24, "operation": "UNION"}
    assert_error(await client.post(f"{tags_url(ds)}/arithmetics", json=body), 404, "TAG_UNKNOWN")


# -- filenames and exports ------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_filenames_are_in_sample_order_when_listed(client: httpx.AsyncClient, ds: str):
    init = await initial_tag(client, ds)
    tag = await create_tag(client, ds, "odd", init, "0x15")  # indices 0, 2, 4
    r = await client.get(f"{tags_url(ds)}/{tag}/filenames")
    assert r.json() == ["a.jpg", "c.jpg", "e.jpg"]


@pytest.mark.asyncio
async def test_label_box_export_lists_signed_urls_when_the_tag_has_samples(
    fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    tag = await create_tag(client, ds, "two", init, "0x6")
    sid = fake.sample_ids(ds)[1]
    w = await client.get(
        f"/users/datasets/{ds}/samples/{sid}/writeurl", params={"fileName": "b.jpg"}
    )
    await anon.put(w.json()["signedWriteUrl"], content=b"B")
    r = await client.get(f"{tags_url(ds)}/{tag}/export/LabelBoxDataRows", params={"expiresIn": 60})
    rows = r.json()
    assert [row["externalId"] for row in rows] == ["b.jpg", "c.jpg"]
    assert (await anon.get(rows[0]["imageUrl"])).content == b"B"


@pytest.mark.asyncio
async def test_export_url_is_refused_when_it_has_expired():
    now = [1_000_000.0]
    fake = FakeLightly(clock=lambda: now[0], api="seed")
    ds = fake.create_dataset("x", ["a.jpg"])
    fake.store.blobs[f"{ds}/samples/{fake.sample_ids(ds)[0]}/a.jpg"] = b"A"
    auth = {"token": fake.token}
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake.lightly") as c:
        r = await c.post(f"{tags_url(ds)}/initial", json={"imgType": "full"}, params=auth)
        export = f"{tags_url(ds)}/{r.json()['id']}/export/LabelBoxDataRows"
        r = await c.get(export, params={"expiresIn": 10, **auth})
        url = r.json()[0]["imageUrl"]
        assert (await c.get(url)).content == b"A"
        now[0] += 11
        assert_error(await c.get(url), 403, "FORBIDDEN")


@pytest.mark.asyncio
async def test_label_studio_export_embeds_sample_data_v2_when_exported(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    r = await client.get(f"{tags_url(ds)}/{init}/export/LabelStudioTasks")
    tasks = r.json()
    assert [t["id"] for t in tasks] == [0, 1, 2, 3, 4]
    first = tasks[0]["data"]
    assert first["lightlyFileName"] == FILES[0]
    meta = first["lightlyMetaInfo"]
    assert (meta["id"], meta["type"], meta["fileName"], meta["index"]) == (
        fake.sample_ids(ds)[0],
        "IMAGE",
        "a.jpg",
        0,
    )
    assert first["image"].startswith("http://fake.lightly/_fake/blobs/")


@pytest.mark.asyncio
async def test_export_returns_one_row_when_preview_example_is_true(
    client: httpx.AsyncClient, ds: str
):
    init = await initial_tag(client, ds)
    r = await client.get(
        f"{tags_url(ds)}/{init}/export/LabelStudioTasks", params={"previewExample": "true"}
    )
    assert len(r.json()) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"expiresIn": 0}, 400, "MALFORMED_REQUEST"),
        ({"expiresIn": "soon"}, 400, "MALFORMED_REQUEST"),
        ({"previewExample": "maybe"}, 400, "MALFORMED_REQUEST"),
        ({"accessControl": "team"}, 404, "ACCESS_CONTROL_UNKNOWN"),
        ({"accessControl": ""}, 404, "ACCESS_CONTROL_UNKNOWN"),  # empty is not the default
    ],
)
async def test_export_is_refused_when_a_query_parameter_is_invalid(
    client: httpx.AsyncClient, ds: str, params: dict[str, object], status: int, code: str
):
    init = await initial_tag(client, ds)
    r = await client.get(f"{tags_url(ds)}/{init}/export/LabelBoxDataRows", params=params)
    assert_error(r, status, code)


@pytest.mark.asyncio
async def test_tag_name_is_400_when_it_ends_in_a_newline(client: httpx.AsyncClient, ds: str):
    r = await client.post(f"{tags_url(ds)}/initial", json={"imgType": "full", "name": "abc\n"})
    assert_error(r, 400, "MALFORMED_REQUEST")
    init = await initial_tag(client, ds)
    r = await client.put(f"{tags_url(ds)}/{init}", json={"name": "renamed\n"})
    assert_error(r, 400, "MALFORMED_REQUEST")
