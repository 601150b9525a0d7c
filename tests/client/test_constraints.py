"""One module of constraints: the client's checks and the fake's validation say the same."""

from __future__ import annotations

import pytest

from lightly_async import _constraints as c
from lightly_async import _validate
from lightly_async.errors import InvalidInputError
from lightly_async.models import PredictionSingletonObjectDetection
from lightly_async.testing import FakeApiError
from lightly_async.testing._state import check


@pytest.mark.parametrize(("constraint", "value"), [
    (c.OBJECT_ID, "A" * 24), (c.TAG_NAME, "ab"), (c.TAG_NAME, "abc\n"),
    (c.PATH_SAFE_NAME, "../etc"), (c.TIMESTAMP, -1), (c.TIMESTAMP, 2**63), (c.TIMESTAMP, 1.0),
    (c.SCORE, 1.5), (c.SCORE, True), (c.TAG_CREATORS, "USER_WORKER"), (c.IMAGE_TYPES, "png"),
])
def test_client_and_fake_refuse_with_the_same_phrase_when_a_value_breaks_a_constraint(
    constraint: c.Pattern | c.Range | c.OneOf, value: object,
) -> None:
    problem = constraint.problem(value)
    assert problem is not None
    with pytest.raises(InvalidInputError) as client:
        _validate.satisfies("field", value, constraint)
    with pytest.raises(FakeApiError) as fake:
        check(value, constraint, "field")
    assert str(client.value) == f"field: {problem}"
    assert fake.value.status == 400
    assert fake.value.message == f"field {problem}"


def test_newest_enum_sets_extend_the_seed_ones_when_compared() -> None:
    assert c.TAG_CREATORS_LATEST.problem("USER_WORKER") is None
    assert set(c.TAG_CREATORS.values) < set(c.TAG_CREATORS_LATEST.values)
    assert c.TASK_TYPES.problem("SEMANTIC_SEGMENTATION") is not None
    assert c.TASK_TYPES_LATEST.problem("SEMANTIC_SEGMENTATION") is None


def test_singleton_problems_names_each_bad_field_when_a_singleton_breaks_several() -> None:
    s = PredictionSingletonObjectDetection(task_name="cars", category_id=0, score=2.0,
                                           bbox=[1, 2, -3])
    fields = [name for name, _ in c.singleton_problems(s)]
    assert fields == ["score", "bbox", "bbox[2]"]


def test_float_coordinates_pass_only_the_newest_rule_when_checked() -> None:
    s = PredictionSingletonObjectDetection(task_name="cars", category_id=0, score=0.5,
                                           bbox=[1, 2, 3, 4])
    object.__setattr__(s, "bbox", [1.5, 2.0, 3.25, 4.0])
    assert [f for f, _ in c.singleton_problems(s)] == ["bbox[0]", "bbox[1]", "bbox[2]",
                                                        "bbox[3]"]
    assert list(c.singleton_problems(s, latest=True)) == []
