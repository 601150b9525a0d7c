"""The fake server: real state behind the real API paths, no routes to write.

``lightly_env`` (lightly_async's pytest plugin) serves a fresh fake on loopback and points
``LIGHTLY_TOKEN`` and ``LIGHTLY_SERVER_LOCATION`` at it, so the service's own default session
reaches it.
"""

from service import tag_size_image_and_upload

import lightly_async as la


async def test_service_on_the_fake(lightly_env, tmp_path):
    fake = lightly_env
    dataset_id = fake.create_dataset("cats", file_names=["a.jpg", "b.jpg"])
    sample_id = fake.sample_ids(dataset_id)[0]
    async with la.LightlySession() as session:  # set-up through the API, as a user would
        ds = session.dataset(dataset_id)
        initial = await ds.tags.create_initial()
        (await ds.samples.upload_images({sample_id: ("a.jpg", b"JPEG")})).raise_for_failures()

    size, image = await tag_size_image_and_upload(tmp_path, dataset_id, initial.id, sample_id)

    assert (size, image) == (2, b"JPEG")
    assert [c.path for c in fake.calls if c.method == "PUT"]  # both uploads reached the fake
