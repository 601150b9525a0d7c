# Notebook cells (Jupyter runs top-level ``await``): explore a dataset's tags and build one.
# Each ``# %%`` block is a cell. ``session`` and ``DATASET_ID`` come from the first cell; in
# the test suite they are bound to the fake server instead.

# %%
import os

import lightly_async as la

session = la.LightlySession()  # LIGHTLY_TOKEN (and LIGHTLY_SERVER_LOCATION) from the environment
DATASET_ID = os.environ.get("LIGHTLY_DATASET_ID", "5f0c1c6e2a9b4c1d8e7f6a5b")  # your dataset
ds = session.dataset(DATASET_ID)

# %%
tags = await ds.tags.list()  # noqa: F704
for tag in tags:
    print(f"{tag.name:30} {tag.bit_mask_data.count():6} samples")

# %%
initial = await ds.tags.get_initial()  # noqa: F704
names = await ds.tags.file_names_from_bitmask(initial)  # noqa: F704
first_ten = await ds.tags.create_from_filenames("first-ten", names[:10])  # noqa: F704
print(first_ten.name, first_ten.bit_mask_data.indices())

# %%
rest = await ds.tags.arithmetics_bitmask(initial.id, first_ten.id, "DIFFERENCE")  # noqa: F704
print("the rest:", rest.bit_mask_data.count(), "samples")

# %%
# A bulk call: with the `progress` extra the bar is a widget, and it stays with its final count.
VERSION = 1_700_000_000_000  # a prediction version (ms)
await ds.predictions.upsert_task_schema(  # noqa: F704
    la.PredictionTaskSchema(name="review", type=la.TaskType.CLASSIFICATION,
                            categories=[la.PredictionTaskSchemaCategory(id=0, name="keep"),
                                        la.PredictionTaskSchemaCategory(id=1, name="drop")]),
    prediction_uuid_timestamp=VERSION)
sample_ids = [s.id for s in await ds.samples.list(mode="ids")]  # noqa: F704
result = await ds.predictions.upsert_many(  # noqa: F704
    {sid: [la.PredictionSingletonClassification(task_name="review", category_id=i % 2,
                                                score=0.8)]
     for i, sid in enumerate(sample_ids)},
    prediction_uuid_timestamp=VERSION)
print(result)

# %%
# The sync facade works in a notebook too: its event loop runs in a thread of its own.
from lightly_async.sync import LightlySession as SyncSession  # noqa: E402

with SyncSession() as sync_session:
    print("tags:", sorted(t.name for t in sync_session.dataset(DATASET_ID).tags.list()))

# %%
await session.aclose()  # noqa: F704
