
import pytest

from zxfeed.fetch.client import Fetcher, FetchError, FetchSettings


def test_connection_refused() -> None:
    with Fetcher(FetchSettings(host_delay=0, connect_timeout=1)) as f, pytest.raises(FetchError) as info:
        f.get("http://127.0.0.1:9/")
    assert info.value.kind == "network"
