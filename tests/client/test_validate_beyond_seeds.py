"""Bad arguments to the operations beyond the seeds raise before any request is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lightly_async import InvalidInputError, LightlySession

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
EID = "63d4e5f60718293a4b5c6d7e"

Call = Callable[[LightlySession], Awaitable[Any]]


async def _list_all(session: LightlySession, **kwargs: Any) -> None:
    async for _ in session.datasets.list(**kwargs):
        pass  # pragma: no cover - list() must raise first


# (test id, call, the field the error must name)
INVALID: list[tuple[str, Call, str]] = [
    # datasets.create: names per the newest spec, ^[a-zA-Z0-9][a-zA-Z0-9 _-]+$, >= 3
    ("create name too short", lambda s: s.datasets.create("ab"), "name"),
    ("create name with a dot", lambda s: s.datasets.create("my.data"), "name"),
    ("create name with a slash", lambda s: s.datasets.create("a/b/c"), "name"),
    ("create name leading space", lambda s: s.datasets.create(" abc"), "name"),
    ("create name trailing newline", lambda s: s.datasets.create("abc\n"), "name"),
    ("create name not a str", lambda s: s.datasets.create(123), "name"),
    ("create type unknown", lambda s: s.datasets.create("abc", type="Pictures"), "type"),
    ("create type lower case", lambda s: s.datasets.create("abc", type="images"), "type"),
    ("create img_type unknown", lambda s: s.datasets.create("abc", img_type="huge"),
     "img_type"),
    ("create creator unknown", lambda s: s.datasets.create("abc", creator="ME"), "creator"),
    ("create parent id", lambda s: s.datasets.create("abc", parent_dataset_id="p"),
     "parent_dataset_id"),
    # get / update / delete
    ("get id", lambda s: s.datasets.get("nope"), "dataset_id"),
    ("get id upper case", lambda s: s.datasets.get(DS.upper()), "dataset_id"),
    ("update id", lambda s: s.datasets.update("nope", name="abc"), "dataset_id"),
    ("update name", lambda s: s.datasets.update(DS, name="x"), "name"),
    ("update name with colon", lambda s: s.datasets.update(DS, name="a:b"), "name"),
    ("delete id", lambda s: s.datasets.delete(DS[:-1]), "dataset_id"),
    ("delete force not bool", lambda s: s.datasets.delete(DS, force="yes"), "force"),
    ("delete force int", lambda s: s.datasets.delete(DS, force=1), "force"),
    # lookups by name
    ("get_by_name empty", lambda s: s.datasets.get_by_name(""), "name"),
    ("get_by_name bad pattern", lambda s: s.datasets.get_by_name("a?b=c"), "name"),
    ("get_by_name not a str", lambda s: s.datasets.get_by_name(None), "name"),
    ("list page_size zero", lambda s: _list_all(s, page_size=0), "page_size"),
    ("list page_size bool", lambda s: _list_all(s, page_size=True), "page_size"),
    # embeddings
    ("embeddings.get id", lambda s: s.dataset(DS).embeddings.get("e1"), "embedding_id"),
    ("embeddings.get_by_name empty", lambda s: s.dataset(DS).embeddings.get_by_name(""),
     "name"),
    ("embeddings.get_by_name not a str", lambda s: s.dataset(DS).embeddings.get_by_name(3),
     "name"),
    # mappings
    ("mappings page_size zero", lambda s: s.dataset(DS).mappings.file_names(page_size=0),
     "page_size"),
    ("mappings page_size float", lambda s: s.dataset(DS).mappings.sample_ids(page_size=2.5),
     "page_size"),
    # samplings with an embedding object or id
    ("trigger embedding object without id",
     lambda s: s.dataset(DS).samplings.trigger(object(), new_tag_name="abc", method="RANDOM"),
     "embedding_id"),
    ("run embedding id",
     lambda s: s.dataset(DS).samplings.run("e1", new_tag_name="abc", method="RANDOM"),
     "embedding_id"),
    # tag helpers that read the mappings: checked before the listing
    ("create_from_filenames parent",
     lambda s: s.dataset(DS).tags.create_from_filenames("abc", ["a.jpg"], parent="p"),
     "parent"),
    ("create_from_filenames empty",
     lambda s: s.dataset(DS).tags.create_from_filenames("abc", []), "file_names"),
]


def test_table_ids_are_unique_when_collected() -> None:
    assert len({case_id for case_id, _, _ in INVALID}) == len(INVALID) >= 30


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "field"), [(c, f) for _, c, f in INVALID],
                         ids=[i for i, _, _ in INVALID])
async def test_invalid_argument_raises_value_error_naming_field_when_called(
    recorder: Any, call: Call, field: str,
) -> None:
    async with recorder.session() as session:
        with pytest.raises(InvalidInputError) as info:
            await call(session)

    assert isinstance(info.value, ValueError)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert recorder.requests == []


@pytest.mark.parametrize("dataset", [object(), 42, None, "x" * 24])
def test_session_dataset_refuses_a_value_without_a_valid_id_when_given_one(
    recorder: Any, dataset: Any,
) -> None:
    with pytest.raises(InvalidInputError, match=r"^dataset_id: "):
        recorder.session().dataset(dataset)
    assert recorder.requests == []
