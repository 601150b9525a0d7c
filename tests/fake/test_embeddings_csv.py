"""The fake's embedding CSVs: a write URL creates the embedding, the CSV PUT there is what
the read URL gives back byte for byte and becomes the embedding's vectors, a seeded
embedding's CSV is rendered from its vectors, and the 2d views are recorded."""

from __future__ import annotations

import httpx
import pytest

from fake.api import FILES, assert_error
from lightly_async.testing import FakeLightly

pytestmark = pytest.mark.asyncio


async def _write_url(client: httpx.AsyncClient, ds: str, name: str) -> dict[str, str]:
    r = await client.get(f"/v1/datasets/{ds}/embeddings/writeCSVUrl", params={"name": name})
    assert r.status_code == 200, r.text
    answer: dict[str, str] = r.json()
    return answer


async def test_a_csv_put_to_the_write_url_is_read_back_byte_for_byte_and_becomes_vectors(
        fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    target = await _write_url(client, ds, "mine")
    listed = (await client.get(f"/v1/datasets/{ds}/embeddings")).json()
    assert [(e["id"], e["name"]) for e in listed] == [(target["embeddingId"], "mine")]
    data = ("filenames,embedding_0,labels\r\n"
            + "".join(f"{n},{i}.5,0\r\n" for i, n in reversed(list(enumerate(FILES))))).encode()

    assert (await anon.put(target["signedWriteUrl"], content=data)).status_code == 200
    r = await client.get(f"/v1/datasets/{ds}/embeddings/{target['embeddingId']}/readCSVUrl")
    assert (await anon.get(r.json())).content == data
    embedding = fake.store.datasets[ds].embeddings[target["embeddingId"]]
    assert embedding.vectors == [[i + 0.5] for i in range(len(FILES))]  # in sample order


async def test_a_csv_that_does_not_cover_the_samples_is_stored_without_vectors(
        fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    target = await _write_url(client, ds, "partial")
    await anon.put(target["signedWriteUrl"], content=b"filenames,embedding_0,labels\na.jpg,1,0\n")
    assert fake.store.datasets[ds].embeddings[target["embeddingId"]].vectors == []


async def test_a_seeded_embedding_reads_as_a_csv_of_its_vectors(
        fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES[:2])
    eid = fake.add_embedding(ds, [[1.0, 2.0], [3.0, 4.5]])
    url = (await client.get(f"/v1/datasets/{ds}/embeddings/{eid}/readCSVUrl")).json()
    assert (await anon.get(url)).text.splitlines() == [
        "filenames,embedding_0,embedding_1,labels", "a.jpg,1.0,2.0,0", "b.jpg,3.0,4.5,0"]


async def test_an_embedding_whose_csv_never_arrived_reads_as_not_found(
        fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    target = await _write_url(client, ds, "pending")
    url = (await client.get(
        f"/v1/datasets/{ds}/embeddings/{target['embeddingId']}/readCSVUrl")).json()
    assert (await anon.get(url)).status_code == 404


async def test_2d_views_are_recorded_and_an_unknown_method_is_refused(
        fake: FakeLightly, client: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    eid = fake.add_embedding(ds)
    path = f"/v1/datasets/{ds}/embeddings/{eid}/trigger2dEmbeddingsJob"
    for method in ("PCA", "UMAP"):
        r = await client.post(path, json={"dimensionalityReductionMethod": method})
        assert r.status_code == 200, r.text
    assert_error(await client.post(path, json={"dimensionalityReductionMethod": "LDA"}),
                 400, "MALFORMED_REQUEST")
    assert fake.store.datasets[ds].embeddings[eid].views_2d == ["PCA", "UMAP"]


async def test_bad_requests_answer_errors(fake: FakeLightly, client: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    assert_error(await client.get(f"/v1/datasets/{ds}/embeddings/writeCSVUrl"),
                 400, "MALFORMED_REQUEST")
    assert_error(await client.get(f"/v1/datasets/{ds}/embeddings/{'0' * 24}/readCSVUrl"),
                 404, "EMBEDDING_UNKNOWN")
