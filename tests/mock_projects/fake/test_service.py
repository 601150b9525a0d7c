"""The fake server: real state behind the real API paths, no routes to write.

``lightly_env`` (lightly_async's pytest plugin) serves a fresh fake on loopback and points
``LIGHTLY_TOKEN`` and ``LIGHTLY_SERVER_LOCATION`` at it, so the service's own default session
reaches it; ``seed_dataset`` sets up what the test needs.
"""

from service import tag_size_image_and_upload

from lightly_async.testing.seed import seed_dataset


async def test_service_on_the_fake(lightly_env, tmp_path):
    seeded = await seed_dataset(lightly_env, images={"a.jpg": b"JPEG", "b.jpg": b"other"})

    size, image = await tag_size_image_and_upload(
        tmp_path, seeded.dataset_id, seeded.tag_ids["initial-tag"], seeded.sample_ids["a.jpg"])

    assert (size, image) == (2, b"JPEG")
    assert lightly_env.blob(f"{seeded.dataset_id}/samples/{seeded.sample_ids['a.jpg']}/a.jpg") \
        == b"new image"
