"""The code under test: a service using a default session (token from ``LIGHTLY_TOKEN``)."""

from __future__ import annotations

from pathlib import Path

import lightly_async as la

DATASET = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAG = "5f0c1c6e2a9b4c1d8e7f6a5c"
SAMPLE = "5f0c1c6e2a9b4c1d8e7f6a5d"


async def tag_size_image_and_upload(
    dest_dir: Path, dataset: str = DATASET, tag_id: str = TAG, sample: str = SAMPLE,
) -> tuple[int, bytes]:
    """One API call, a signed-URL download and a signed-URL upload (of ``a.jpg``)."""
    async with la.LightlySession() as session:
        ds = session.dataset(dataset)
        tag = await ds.tags.get(tag_id)
        (await ds.samples.download([sample], dest_dir)).raise_for_failures()
        (await ds.samples.upload_images({sample: ("a.jpg", b"new image")})).raise_for_failures()
    return tag.tot_size, (dest_dir / sample).read_bytes()
