"""Bad input to the bulk helpers and workflows is refused before anything is sent.

Each case hands one bad value to a bulk helper or workflow, among good ones where that
makes sense, and checks that a ``ValueError`` (``InvalidInputError``) names the offending
field and that the fake server saw zero requests (``fake.calls`` stays empty). The per-call
argument checks live in ``tests/client/test_validate.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lightly_async import InvalidInputError
from lightly_async.models import (
    PredictionSingletonClassification,
    PredictionSingletonObjectDetection,
    SampleData,
    SamplingConfig,
    SamplingConfigStoppingCondition,
)
from lightly_async.testing import FakeLightly

from .server import (
    CLASSES,
    TASK,
    anyio_backend,  # noqa: F401 (the fixture: asyncio and trio, default pool)
    file_names,
    singletons_for,
)

VERSION = 1_700_000_000_000
GOOD_ID = "a" * 24


def _ids(fake: FakeLightly, n: int = 5) -> tuple[str, list[str]]:
    dataset_id = fake.create_dataset("bad", file_names(n))
    return dataset_id, fake.sample_ids(dataset_id)


async def _refused(
    fake: FakeLightly, call: object, field: str, match: str | None = None
) -> str:
    """Await ``call``; it must raise InvalidInputError for ``field`` with no request sent."""
    with pytest.raises(ValueError, match=match) as caught:
        await call  # type: ignore[misc]
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert fake.calls == []
    return str(caught.value)


# -- predictions.upsert_many ------------------------------------------------------------------
@pytest.mark.anyio
async def test_upsert_many_sends_nothing_when_one_sample_id_is_malformed(
    fake: FakeLightly,
) -> None:
    dataset_id, ids = _ids(fake)
    predictions = {sid: singletons_for(n) for n, sid in enumerate(ids)}
    predictions["NOT-AN-ID"] = singletons_for(0)
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).predictions.upsert_many(
            predictions, prediction_uuid_timestamp=VERSION), "predictions['NOT-AN-ID']")


@pytest.mark.anyio
@pytest.mark.parametrize(("bad", "field"), [
    (PredictionSingletonClassification(task_name=CLASSES, category_id=0, score=1.5),
     "[0].score"),
    (PredictionSingletonClassification(task_name="../etc", category_id=0, score=0.5),
     "[0].task_name"),
    (PredictionSingletonClassification(task_name=CLASSES, category_id=-1, score=0.5),
     "[0].category_id"),
    (PredictionSingletonClassification(task_name=CLASSES, category_id=0, score=0.5,
                                       probabilities=[0.5, 2.0]), "[0].probabilities[1]"),
    (PredictionSingletonObjectDetection(task_name=TASK, category_id=0, score=0.5,
                                        bbox=[1, 2, 3]), "[0].bbox"),
    (PredictionSingletonObjectDetection(task_name=TASK, category_id=0, score=0.5,
                                        bbox=[1, 2, -3, 4]), "[0].bbox[2]"),
    (PredictionSingletonClassification(task_name=CLASSES, category_id=0, score=0.5,
                                       crop_sample_id="xyz"), "[0].crop_sample_id"),
    ({"type": "CLASSIFICATION", "taskName": CLASSES}, "[0]"),
])
async def test_upsert_many_names_the_sample_and_field_when_one_singleton_is_bad(
    fake: FakeLightly, bad: object, field: str
) -> None:
    dataset_id, ids = _ids(fake)
    predictions: dict[str, object] = {sid: singletons_for(n) for n, sid in enumerate(ids)}
    predictions[ids[3]] = [bad]
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).predictions.upsert_many(
            predictions, prediction_uuid_timestamp=VERSION),  # type: ignore[arg-type]
            f"predictions[{ids[3]!r}]{field}")


@pytest.mark.anyio
async def test_upsert_many_sends_nothing_when_a_sample_maps_to_a_single_singleton(
    fake: FakeLightly,
) -> None:
    dataset_id, ids = _ids(fake)
    predictions: dict[str, object] = {sid: singletons_for(n) for n, sid in enumerate(ids)}
    predictions[ids[2]] = singletons_for(2)[0]  # forgot the list around it
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).predictions.upsert_many(
            predictions, prediction_uuid_timestamp=VERSION),  # type: ignore[arg-type]
            f"predictions[{ids[2]!r}]", "list of singletons")


@pytest.mark.anyio
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"prediction_uuid_timestamp": -1}, "prediction_uuid_timestamp"),
    ({"prediction_uuid_timestamp": "now"}, "prediction_uuid_timestamp"),
    ({"prediction_uuid_timestamp": VERSION, "concurrency": 0}, "concurrency"),
])
async def test_upsert_many_sends_nothing_when_an_option_is_bad(
    fake: FakeLightly, kwargs: dict[str, object], field: str
) -> None:
    dataset_id, ids = _ids(fake)
    predictions = {sid: singletons_for(n) for n, sid in enumerate(ids)}
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).predictions.upsert_many(
            predictions, **kwargs), field)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_upsert_many_sends_nothing_when_given_a_list_instead_of_a_mapping(
    fake: FakeLightly,
) -> None:
    dataset_id, _ = _ids(fake)
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).predictions.upsert_many(
            [singletons_for(0)], prediction_uuid_timestamp=VERSION),  # type: ignore[arg-type]
            "predictions")


# -- samples.update_many ----------------------------------------------------------------------
@pytest.mark.anyio
async def test_update_many_sends_nothing_when_one_item_is_not_a_sample(
    fake: FakeLightly,
) -> None:
    dataset_id, ids = _ids(fake)
    samples: list[object] = [SampleData(id=sid) for sid in ids]
    samples.insert(2, {"_id": ids[0]})
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.update_many(
            samples), "samples[2]")  # type: ignore[arg-type]


@pytest.mark.anyio
@pytest.mark.parametrize(("bad_id", "message"), [("Z" * 24, "24"), (None, None)])
async def test_update_many_sends_nothing_when_one_sample_id_is_bad(
    fake: FakeLightly, bad_id: str, message: str | None
) -> None:
    dataset_id, ids = _ids(fake)
    samples = [SampleData(id=sid) for sid in ids] + [SampleData(id=bad_id)]
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.update_many(samples),
                       "samples[5].id", message)


@pytest.mark.anyio
async def test_update_many_sends_nothing_when_a_sample_id_repeats(fake: FakeLightly) -> None:
    dataset_id, ids = _ids(fake)
    samples = [SampleData(id=sid) for sid in ids] + [SampleData(id=ids[1])]
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.update_many(samples),
                       "samples[5].id", "duplicate")


# -- samples.upload_images --------------------------------------------------------------------
@pytest.mark.anyio
async def test_upload_images_sends_nothing_when_one_file_is_missing(
    fake: FakeLightly, tmp_path: Path
) -> None:
    dataset_id, ids = _ids(fake)
    images: dict[str, object] = {}
    for sid in ids:
        path = tmp_path / f"{sid}.png"
        path.write_bytes(b"\x89PNG")
        images[sid] = path
    missing = tmp_path / "gone.png"
    images[ids[4]] = missing
    async with fake.session() as session:
        message = await _refused(fake, session.dataset(dataset_id).samples.upload_images(
            images), f"images[{ids[4]!r}]")  # type: ignore[arg-type]
    assert str(missing) in message


@pytest.mark.anyio
@pytest.mark.parametrize("source", [42, None, ["a.png"]])
async def test_upload_images_sends_nothing_when_a_source_is_neither_path_nor_bytes(
    fake: FakeLightly, source: object
) -> None:
    dataset_id, ids = _ids(fake)
    images: dict[str, object] = {sid: ("x.png", b"bytes") for sid in ids}
    images[ids[1]] = source
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.upload_images(
            images), f"images[{ids[1]!r}]")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_upload_images_sends_nothing_when_a_key_is_not_a_sample_id(
    fake: FakeLightly,
) -> None:
    dataset_id, ids = _ids(fake)
    images = {sid: ("x.png", b"bytes") for sid in ids} | {"img_00001.jpg": ("x.png", b"bytes")}
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.upload_images(images),
                       "images['img_00001.jpg']")


# -- samples.download -------------------------------------------------------------------------
@pytest.mark.anyio
async def test_download_sends_nothing_when_the_directory_is_missing(
    fake: FakeLightly, tmp_path: Path
) -> None:
    dataset_id, ids = _ids(fake)
    async with fake.session() as session:
        message = await _refused(fake, session.dataset(dataset_id).samples.download(
            ids, tmp_path / "nope"), "dest_dir")
    assert "nope" in message
    assert not any(tmp_path.iterdir())  # and nothing was created either  # noqa: ASYNC240


@pytest.mark.anyio
async def test_download_sends_nothing_when_dest_dir_is_a_file(
    fake: FakeLightly, tmp_path: Path
) -> None:
    dataset_id, ids = _ids(fake)
    (tmp_path / "f").write_bytes(b"")
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.download(
            ids, tmp_path / "f"), "dest_dir")


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["../escape.png", "sub/dir.png", ""])
async def test_download_sends_nothing_when_a_target_name_is_not_a_plain_name(
    fake: FakeLightly, tmp_path: Path, name: str
) -> None:
    dataset_id, ids = _ids(fake)
    names = {sid: f"{sid}.png" for sid in ids} | {ids[2]: name}
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.download(
            names, tmp_path), f"sample_ids[{ids[2]!r}]")
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240


@pytest.mark.anyio
async def test_download_sends_nothing_when_the_image_type_is_unknown(
    fake: FakeLightly, tmp_path: Path
) -> None:
    dataset_id, ids = _ids(fake)
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samples.download(
            ids, tmp_path, type="huge"), "type")


# -- tags.create_from_filenames ---------------------------------------------------------------
@pytest.mark.anyio
async def test_create_from_filenames_lists_the_unknown_names_when_some_are_not_in_the_dataset(
    fake: FakeLightly,
) -> None:
    dataset_id, _ = _ids(fake)
    async with fake.session() as session:
        tags = session.dataset(dataset_id).tags
        await tags.create_initial()
        fake.calls.clear()
        with pytest.raises(ValueError, match="2 not in the dataset") as caught:
            await tags.create_from_filenames(
                "picked", ["img_00001.jpg", "ghost.jpg", "img_00003.jpg", "phantom.png"])
        assert len(await tags.list()) == 1
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.field == "file_names"
    assert "'ghost.jpg'" in str(caught.value)
    assert "'phantom.png'" in str(caught.value)
    assert "img_00001" not in str(caught.value)
    assert [c.method for c in fake.calls if c.method != "GET"] == []  # looked, never wrote


@pytest.mark.anyio
async def test_create_from_filenames_shortens_the_list_when_many_names_are_unknown(
    fake: FakeLightly,
) -> None:
    dataset_id, _ = _ids(fake)
    async with fake.session() as session:
        tags = session.dataset(dataset_id).tags
        await tags.create_initial()
        with pytest.raises(ValueError, match="25 not in the dataset") as caught:
            await tags.create_from_filenames("picked", [f"x{i}.jpg" for i in range(25)])
    assert "'x9.jpg'" in str(caught.value)
    assert "'x10.jpg'" not in str(caught.value)
    assert "and 15 more" in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "names", "field"), [
    ("ok-name", [], "file_names"),
    ("x", ["img_00001.jpg"], "name"),
    ("bad/name", ["img_00001.jpg"], "name"),
])
async def test_create_from_filenames_sends_nothing_when_name_or_list_is_bad(
    fake: FakeLightly, name: str, names: list[str], field: str
) -> None:
    dataset_id, _ = _ids(fake)
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).tags.create_from_filenames(
            name, names), field)


# -- samplings.run ----------------------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"method": "MAGIC"}, "method"),
    ({"new_tag_name": "?"}, "new_tag_name"),
    ({"config": SamplingConfig(stopping_condition=SamplingConfigStoppingCondition(
        n_samples=-5))}, "config.stopping_condition.n_samples"),
    ({"preselected_tag_id": "tag-1"}, "preselected_tag_id"),
    ({"score_type": "bad score"}, "score_type"),
    ({"row_count": -1}, "row_count"),
])
async def test_sampling_run_sends_nothing_when_an_argument_is_bad(
    fake: FakeLightly, kwargs: dict[str, object], field: str
) -> None:
    dataset_id, _ = _ids(fake)
    arguments: dict[str, object] = {"new_tag_name": "picked", "method": "RANDOM"} | kwargs
    async with fake.session() as session:
        await _refused(fake, session.dataset(dataset_id).samplings.run(
            GOOD_ID, **arguments), field)  # type: ignore[arg-type]
