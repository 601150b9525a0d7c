"""respx on the real httpx (no alias): its mock cannot see httpx2, so the call is refused."""

import httpx
import httpx2
import pytest
import respx
from service import tag_size_image_and_upload

import lightly_async as la


def test_httpx_is_the_real_httpx():
    assert httpx is not httpx2


@respx.mock
async def test_first_call_names_the_fix_and_sends_nothing(tmp_path):
    route = respx.get(url__regex=r".*").respond(json={})
    with pytest.raises(la.MockNotSeenError) as caught:
        await tag_size_image_and_upload(tmp_path)
    assert "httpx2_mock" in str(caught.value)
    assert "alias_httpx" in str(caught.value)
    assert not route.called


async def test_with_the_respx_mock_fixture(respx_mock, tmp_path):
    with pytest.raises(la.MockNotSeenError):
        await tag_size_image_and_upload(tmp_path)
