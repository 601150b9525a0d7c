"""The same scenarios through the async API and through ``lightly_async.sync``.

Each scenario is a list of steps (``"tags.get_by_name"``, its arguments, possibly built from
earlier results; a listing ending in ``.pages`` or ``.collect`` is read that way). It runs
once per facade against two fakes built identically (same seed,
same frozen clock), so every result — models, ids, bitmasks, BulkResults — must be equal; the
scenarios also assert what the results mean, so two equally wrong facades fail too. Then what
only the sync facade has: its own thread, plain iterators, and where it may be called from.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import lightly_async as la
from lightly_async import sync
from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly

TS = 1_700_000_000_000
CLOCK = 1_700_000_000.0
N = 25
SCHEMA = la.PredictionTaskSchema(
    name="cls", type=la.TaskType.CLASSIFICATION,
    categories=[la.PredictionTaskSchemaCategory(id=0, name="cat"),
                la.PredictionTaskSchemaCategory(id=1, name="dog")])

Results = dict[str, Any]
Step = tuple[str, str, Callable[[Results], tuple[tuple[Any, ...], dict[str, Any]]]]


def _args(*args: Any, **kwargs: Any) -> Callable[[Results], tuple[tuple[Any, ...], dict[str, Any]]]:
    return lambda _: (args, kwargs)


def _make_fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=3, clock=lambda: CLOCK)
    dataset_id = fake.create_dataset("twins", [f"img_{i:02d}.jpg" for i in range(N)])
    fake.add_raw_files(dataset_id, [(f"raw/{i:02d}.jpg", 1_600_000_000 + i) for i in range(N)])
    fake.add_embedding(dataset_id)
    fake.page_size = 10
    return fake, dataset_id


def _classification(i: int) -> list[la.PredictionSingleton]:
    return [la.PredictionSingletonClassification(task_name="cls", category_id=i % 2, score=0.9)]


# Steps address a method from the dataset handle ("tags.list"), the session ("@jobs.get") or
# a handle an earlier step returned ("$handle.embeddings.get_by_name").
SCENARIOS: dict[str, list[Step]] = {
    "tags": [
        ("created", "tags.create_initial", _args()),
        ("initial", "tags.get_initial", _args()),
        ("by_name", "tags.get_by_name", _args("initial-tag")),
        ("names", "tags.all_file_names", _args()),
        ("picked", "tags.create_from_filenames", _args("picked", ["img_03.jpg", "img_07.jpg"])),
        ("decoded", "tags.file_names_from_bitmask", lambda r: ((r["picked"],), {})),
        ("seed_names", "tags.filenames", lambda r: ((r["picked"].id,), {})),
        ("rest", "tags.arithmetics_bitmask",
         lambda r: ((r["initial"].id, r["picked"].id, "DIFFERENCE"), {})),
        ("renamed", "tags.update", lambda r: ((r["picked"].id,), {"name": "chosen"})),
        ("studio", "tags.export_label_studio", lambda r: ((r["picked"].id,), {"expires_in": 60})),
        ("box", "tags.export_label_box", lambda r: ((r["picked"].id,), {})),
        ("all", "tags.list", _args()),
    ],
    "predictions": [
        ("schema", "predictions.upsert_task_schema", _args(SCHEMA, prediction_uuid_timestamp=TS)),
        ("ids", "samples.list", _args(mode="ids")),
        ("bulk", "predictions.upsert_many", lambda r: ((
            {s.id: _classification(i) for i, s in enumerate(r["ids"])},),
            {"prediction_uuid_timestamp": TS, "progress": False})),
        ("one", "predictions.get", lambda r: ((r["ids"][4].id,),
                                              {"prediction_uuid_timestamp": TS})),
        ("every", "predictions.list", _args(prediction_uuid_timestamp=TS)),
        ("schemas", "predictions.list_task_schemas", _args()),
        ("task", "predictions.get_task_schema", _args("cls", prediction_uuid_timestamp=TS)),
    ],
    "datasource": [
        ("config", "datasource.get", _args()),
        ("verify", "datasource.verify", _args()),
        ("rows", "datasource.list_raw_samples", _args(from_=1_600_000_005)),
        ("pages", "datasource.list_raw_samples.pages", _args(from_=1_600_000_000)),
        ("set", "datasource.set_processed_until", _args(1_600_000_010)),
        ("bookmark", "datasource.get_processed_until", _args()),
    ],
    "samples_and_sampling": [
        ("initial", "tags.create_initial", _args()),
        ("sample", "samples.get", lambda r: ((FAKE_IDS[0],), {})),
        ("url", "samples.read_url", lambda r: ((FAKE_IDS[0],), {})),
        ("updated", "samples.update_many", lambda r: (([r["sample"]],), {"progress": False})),
        ("task", "samplings.trigger", lambda r: ((EMBEDDING[0],), {
            "new_tag_name": "random-5", "method": "RANDOM",
            "config": la.SamplingConfig(stopping_condition=la.SamplingConfigStoppingCondition(
                n_samples=5))})),
        ("job", "@jobs.wait", lambda r: ((r["task"].job_id,), {"timeout": 30})),
        ("selected", "tags.get_by_name", _args("random-5")),
    ],
    "datasets_embeddings_and_mappings": [
        ("other", "@datasets.create", _args("other")),
        ("rows", "@datasets.list", _args(page_size=1)),
        ("listed", "@datasets.list.pages", _args(page_size=1)),
        ("found", "@datasets.get_by_name", _args("twins")),
        ("handle", "@dataset", lambda r: ((r["found"],), {})),
        ("initial", "$handle.tags.create_initial", _args()),
        ("embeddings", "$handle.embeddings.list", _args()),
        ("embedding", "$handle.embeddings.get_by_name", _args("second")),
        ("by_id", "$handle.embeddings.get", lambda r: ((r["embedding"].id,), {})),
        ("sampled", "$handle.samplings.run", lambda r: ((r["embedding"],), {
            "new_tag_name": "random-4", "method": la.SamplingMethod.RANDOM, "timeout": 30,
            "config": la.SamplingConfig(stopping_condition=la.SamplingConfigStoppingCondition(
                n_samples=4))})),
        ("names", "$handle.mappings.file_names", _args(page_size=10)),
        ("ids", "$handle.mappings.sample_ids", _args(page_size=10)),
        ("picked", "$handle.tags.file_names_from_bitmask", lambda r: ((r["sampled"],), {})),
        ("renamed", "@datasets.update", lambda r: ((r["other"].id,), {"name": "renamed"})),
        ("got", "@datasets.get", lambda r: ((r["other"].id,), {})),
        ("deleted", "@datasets.delete", lambda r: ((r["other"].id,), {})),
        ("left", "@datasets.list.collect", _args()),
    ],
}
FAKE_IDS: list[str] = []
EMBEDDING: list[str] = []


def _check(name: str, r: Results) -> None:
    """What the results mean, whichever facade produced them."""
    if name == "tags":
        assert r["by_name"] == r["initial"]
        assert r["initial"].bit_mask_data.count() == N
        assert r["decoded"] == r["seed_names"] == ["img_03.jpg", "img_07.jpg"]
        assert r["rest"].bit_mask_data.count() == N - 2
        assert r["renamed"] is None
        assert len(r["studio"]) == len(r["box"]) == 2
        assert sorted(t.name for t in r["all"]) == ["chosen", "initial-tag"]
    elif name == "predictions":
        assert r["bulk"].ok
        assert len(r["bulk"].succeeded) == N
        assert r["one"] == _classification(4)
        assert r["every"] == [_classification(i) for i in range(N)]
        assert r["schemas"] == [r["task"]]
    elif name == "datasource":
        assert [row.file_name for row in r["rows"]] == [f"raw/{i:02d}.jpg" for i in range(5, N)]
        assert [len(page.data) for page in r["pages"]] == [10, 10, 5]
        assert r["bookmark"] == 1_600_000_010
    elif name == "datasets_embeddings_and_mappings":
        assert [d.name for d in r["rows"]] == ["twins", "other"]
        assert [[d.name for d in page] for page in r["listed"]] == [["twins"], ["other"]]
        assert (r["found"].name, r["found"].n_samples) == ("twins", N)
        assert r["handle"].id == r["found"].id
        assert sorted(e.name for e in r["embeddings"]) == ["default", "second"]
        assert r["embedding"].id == r["by_id"].id == EMBEDDING[0]
        assert r["by_id"] == r["embedding"]
        assert (r["sampled"].name, r["sampled"].bit_mask_data.count()) == ("random-4", 4)
        assert r["names"] == [f"img_{i:02d}.jpg" for i in range(N)]
        assert r["ids"] == FAKE_IDS
        # bit i of the new tag is entry i of the sample order
        assert r["picked"] == [r["names"][i] for i in r["sampled"].bit_mask_data.indices()]
        assert r["renamed"] is None
        assert r["deleted"] is None
        assert r["got"].name == "renamed"
        assert [d.id for d in r["left"]] == [r["found"].id]
    else:
        assert r["updated"].succeeded == [r["sample"].id]
        assert r["selected"].bit_mask_data.count() == 5


def _call(root: Any, session: Any, results: Results, path: str, make: Callable[[Results], Any]
          ) -> tuple[Any, str | None]:
    """Call the step's method; returns its value and how to read a listing (if said)."""
    head, _, last = path.rpartition(".")
    path, read = (head, last) if last in ("pages", "collect") else (path, None)
    if path.startswith("@"):
        obj, parts = session, path[1:].split(".")
    elif path.startswith("$"):
        first, *parts = path[1:].split(".")
        obj = results[first]
    else:
        obj, parts = root, path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part)
    args, kwargs = make(results)
    return getattr(obj, parts[-1])(*args, **kwargs), read


async def _run_async(fake: FakeLightly, dataset_id: str, steps: list[Step]) -> Results:
    results: Results = {}
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        for name, path, make in steps:
            value, read = _call(ds, session, results, path, make)
            if read == "pages":
                results[name] = [page async for page in value.pages()]
            elif read == "collect":
                results[name] = await value.collect()
            elif hasattr(value, "__aiter__"):
                results[name] = [row async for row in value]
            else:  # a coroutine, or a handle (session.dataset)
                results[name] = await value if inspect.isawaitable(value) else value
    return results


def _run_sync(fake: FakeLightly, dataset_id: str, steps: list[Step]) -> Results:
    results: Results = {}
    with _sync_session(fake) as session:
        ds = session.dataset(dataset_id)
        for name, path, make in steps:
            value, read = _call(ds, session, results, path, make)
            if read == "pages":
                results[name] = list(value.pages())
            elif read == "collect":
                results[name] = value.collect()
            elif isinstance(value, sync.Pager | sync.OffsetPager):
                results[name] = list(value)
            else:
                results[name] = value
    return results


def _comparable(value: Any) -> Any:
    """Dataset handles of the two facades are different classes: compare what they name."""
    if isinstance(value, la.Dataset | sync.Dataset):
        return ("Dataset", value.id)
    return value


def _sync_session(fake: FakeLightly, **kwargs: Any) -> sync.LightlySession:
    return sync.LightlySession(fake.token, base_url=FAKE_BASE_URL, transport=fake.transport(),
                               allow_insecure_http=True, **kwargs)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_both_facades_return_equal_models_when_running_the_same_scenario(scenario: str) -> None:
    outcomes = []
    for facade in ("async", "sync"):
        fake, dataset_id = _make_fake()
        FAKE_IDS[:] = fake.sample_ids(dataset_id)
        EMBEDDING[:] = [fake.add_embedding(dataset_id, name="second")]
        steps = SCENARIOS[scenario]
        results = (anyio.run(_run_async, fake, dataset_id, steps) if facade == "async"
                   else _run_sync(fake, dataset_id, steps))
        _check(scenario, results)
        outcomes.append(results)
    for key in outcomes[0]:
        left, right = outcomes
        if isinstance(left[key], la.BulkResult):
            assert (left[key].succeeded, left[key].results) == (
                right[key].succeeded, right[key].results), key
        else:
            assert _comparable(left[key]) == _comparable(right[key]), key


# -- what only the sync facade has ---------------------------------------------------------
@pytest.fixture
def fake() -> FakeLightly:
    return _make_fake()[0]


def _dataset(fake: FakeLightly) -> str:
    return next(iter(fake.store.datasets))


def test_session_runs_its_loop_in_its_own_thread_and_stops_it_when_closed(
        fake: FakeLightly) -> None:
    before = {t.ident for t in threading.enumerate()}
    with _sync_session(fake) as session:
        threads = [t for t in threading.enumerate() if t.ident not in before]
        assert [t.name for t in threads] == ["lightly-async-sync"]
        assert session.dataset(_dataset(fake)).tags.list() == []
    assert session.is_closed
    assert not threads[0].is_alive()
    with pytest.raises(RuntimeError, match="is closed"):
        session.dataset(_dataset(fake)).tags.list()


def test_calls_work_from_several_threads_when_they_share_one_session(fake: FakeLightly) -> None:
    dataset_id = _dataset(fake)
    answers: list[int] = []
    with _sync_session(fake) as session:
        session.dataset(dataset_id).tags.create_initial()

        def worker() -> None:
            answers.append(session.dataset(dataset_id).tags.get_initial().bit_mask_data.count())

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert answers == [N] * 4


@pytest.mark.parametrize("outer", ["asyncio", "trio"])
def test_calls_block_correctly_when_the_caller_already_runs_an_event_loop(
        fake: FakeLightly, outer: str) -> None:
    """What a Jupyter cell does: the calling thread runs a loop of its own."""
    dataset_id = _dataset(fake)

    async def cell() -> list[str]:
        with _sync_session(fake) as session:
            ds = session.dataset(dataset_id)
            ds.tags.create_initial()
            return [row.file_name for row in ds.datasource.list_raw_samples()]

    names = anyio.run(cell, backend=outer)
    assert names == [f"raw/{i:02d}.jpg" for i in range(N)]


def test_session_runs_the_async_core_on_trio_when_asked(fake: FakeLightly) -> None:
    with _sync_session(fake, backend="trio") as session:
        assert session.dataset(_dataset(fake)).samples.list(mode="ids")[0].id == \
            fake.sample_ids(_dataset(fake))[0]


def test_calling_back_from_a_progress_callback_says_to_use_the_async_api(
        fake: FakeLightly) -> None:
    dataset_id = _dataset(fake)
    with _sync_session(fake) as session:
        ds = session.dataset(dataset_id)

        class Reentrant:
            def start(self, total: int, description: str) -> None:
                ds.tags.list()  # runs on the session's own loop thread

            def advance(self, n: int) -> None: ...

            def close(self) -> None: ...

        sample = ds.samples.get(fake.sample_ids(dataset_id)[0])
        with pytest.raises(RuntimeError, match="must use the async API"):
            ds.samples.update_many([sample], progress=Reentrant())
        assert ds.tags.list() == []  # the session is still usable


def test_bulk_helpers_keep_their_result_and_progress_events_when_called_sync(
        fake: FakeLightly) -> None:
    dataset_id = _dataset(fake)
    ids = fake.sample_ids(dataset_id)
    fake.faults.add(method="POST", path=f"/v1/datasets/*/predictions/samples/{ids[2]}",
                    status=400)
    events: list[tuple[str, int]] = []

    class Recorder:
        def start(self, total: int, description: str) -> None:
            events.append(("start", total))

        def advance(self, n: int) -> None:
            events.append(("advance", n))

        def close(self) -> None:
            events.append(("close", 0))

    with _sync_session(fake) as session:
        ds = session.dataset(dataset_id)
        ds.predictions.upsert_task_schema(SCHEMA, prediction_uuid_timestamp=TS)
        result = ds.predictions.upsert_many(
            {sid: _classification(i) for i, sid in enumerate(ids[:6])},
            prediction_uuid_timestamp=TS, progress=Recorder())
    assert isinstance(result, la.BulkResult)
    assert list(result.failed) == [ids[2]]
    assert isinstance(result.failed[ids[2]], la.BadRequestError)
    assert sorted(result.succeeded) == sorted(ids[:2] + ids[3:6])
    assert events == [("start", 6)] + [("advance", 1)] * 6 + [("close", 0)]


def test_new_raw_samples_moves_the_bookmark_only_after_a_complete_clean_pass(
        fake: FakeLightly) -> None:
    dataset_id = _dataset(fake)
    with _sync_session(fake) as session:
        source = session.dataset(dataset_id).datasource

        def crash() -> None:
            with source.new_raw_samples() as batch:
                for _ in batch:
                    raise KeyError("crash while processing")

        with pytest.raises(KeyError):
            crash()
        assert source.get_processed_until() == 0
        with source.new_raw_samples() as batch:
            for _, _row in zip(range(3), batch, strict=False):  # stops early
                pass
        assert batch.rows_seen == 3
        assert source.get_processed_until() == 0
        with source.new_raw_samples() as batch:
            seen = [row.file_name for row in batch]
        assert batch.exhausted
        assert len(seen) == N
        assert source.get_processed_until() == batch.to


def test_input_errors_come_from_the_call_itself_before_any_request(fake: FakeLightly) -> None:
    with _sync_session(fake) as session:
        ds = session.dataset(_dataset(fake))
        with pytest.raises(la.InvalidInputError, match="from_"):
            ds.datasource.list_raw_samples(from_=5, to=1)  # the pager, before iterating
        with pytest.raises(la.InvalidInputError, match="tag_id"):
            ds.tags.get("not-an-id")
        sent = len(fake.calls)
        with pytest.raises(la.InvalidInputError, match="page_size"):
            session.datasets.list(page_size=0)  # the pager, before iterating
        with pytest.raises(la.InvalidInputError, match="embedding_id"):
            ds.samplings.run("nope", new_tag_name="picked", method="RANDOM")
        with pytest.raises(la.InvalidInputError, match="page_size"):
            ds.mappings.file_names(page_size=0)
        assert len(fake.calls) == sent
        with pytest.raises(la.NotFoundError) as caught:
            ds.tags.get("0" * 24)
    assert caught.value.status_code == 404
    assert fake.calls[-1].path.endswith("/tags/" + "0" * 24)
    with pytest.raises(la.InvalidInputError, match="dataset_id"):
        _sync_session(fake).dataset("nope")


def test_an_unclosed_session_warns_and_stops_its_thread_when_collected(
        fake: FakeLightly) -> None:
    session = _sync_session(fake)
    thread = next(t for t in threading.enumerate() if t.name == "lightly-async-sync")
    with pytest.warns(ResourceWarning, match="unclosed"):
        del session  # the last reference: collected at once
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_plain_script_uses_the_sync_session_against_a_served_fake(fake: FakeLightly) -> None:
    dataset_id = _dataset(fake)
    script = (
        "import sys\n"
        "from lightly_async.sync import LightlySession\n"
        "with LightlySession() as session:\n"
        f"    ds = session.dataset({dataset_id!r})\n"
        "    ds.tags.create_initial()\n"
        "    print(ds.tags.get_initial().bit_mask_data.count())\n"
    )
    with fake.serve_in_thread() as base_url:
        env = {"LIGHTLY_TOKEN": DEFAULT_TOKEN, "LIGHTLY_SERVER_LOCATION": base_url,
               "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(N)



def test_a_missing_token_fails_in_the_constructor_and_leaves_no_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIGHTLY_TOKEN", raising=False)
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(la.InvalidInputError, match="LIGHTLY_TOKEN"):
        sync.LightlySession()
    assert {t.ident for t in threading.enumerate() if t.is_alive()} <= before


def test_pager_cursor_resumes_like_the_async_one_after_an_early_break() -> None:
    async def async_side(fake: FakeLightly, dataset_id: str) -> tuple[list[str], bool, bool]:
        async with fake.session() as session:
            source = session.dataset(dataset_id).datasource
            pager, seen = source.list_raw_samples(), 0
            async for _ in pager:
                seen += 1
                if seen == 12:  # inside the second page (10 rows a page)
                    break
            early = pager.exhausted
            resumed = source.list_raw_samples(cursor=pager.cursor)
            names = [row.file_name async for row in resumed]
            return names, early, resumed.exhausted

    def sync_side(fake: FakeLightly, dataset_id: str) -> tuple[list[str], bool, bool]:
        with _sync_session(fake) as session:
            source = session.dataset(dataset_id).datasource
            pager = source.list_raw_samples()
            for seen, _ in enumerate(pager, start=1):
                if seen == 12:
                    break
            early = pager.exhausted
            resumed = source.list_raw_samples(cursor=pager.cursor)
            names = [row.file_name for row in resumed]
            return names, early, resumed.exhausted

    fake, dataset_id = _make_fake()
    aio = anyio.run(async_side, fake, dataset_id)
    fake, dataset_id = _make_fake()
    assert sync_side(fake, dataset_id) == aio
    assert aio == ([f"raw/{i:02d}.jpg" for i in range(10, N)], False, True)
