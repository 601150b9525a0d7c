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
await session.aclose()  # noqa: F704
