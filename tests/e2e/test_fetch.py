import gzip
import itertools
import threading
import zlib

import pytest

from support.webserver import TestWeb
from zxfeed.fetch.client import Fetcher, FetchError, FetchSettings


def test_conditional_get_sends_validators_and_gets_304(web: TestWeb) -> None:
    web.set("/f/etag.html", "<p>政协</p>", etag=True)
    with Fetcher(FetchSettings(host_delay=0)) as f:
        first = f.get(web.url("/f/etag.html"))
        assert first.status == 200 and first.etag and not first.not_modified
        again = f.get(web.url("/f/etag.html"), etag=first.etag,
                      last_modified=first.last_modified, known_hash=first.body_hash)
    assert again.status == 304 and again.not_modified and again.body == b""
    sent = web.requests_to("/f/etag.html")[-1]
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified
    assert sent["User-Agent"].startswith("zxfeed/")


def test_same_body_hash_counts_as_unchanged(web: TestWeb) -> None:
    web.set("/f/plain.html", "<p>没有 ETag 的页面</p>")
    with Fetcher(FetchSettings(host_delay=0)) as f:
        first = f.get(web.url("/f/plain.html"))
        second = f.get(web.url("/f/plain.html"), known_hash=first.body_hash)
        web.set("/f/plain.html", "<p>改了</p>")
        third = f.get(web.url("/f/plain.html"), known_hash=first.body_hash)
    assert second.not_modified and not third.not_modified


@pytest.mark.parametrize(("status", "kind"), [(500, "http"), (412, "http"), (404, "http")])
def test_http_errors(web: TestWeb, status: int, kind: str) -> None:
    web.set(f"/f/{status}", "<script>x</script>", status=status, headers={"Retry-After": "120"})
    with Fetcher(FetchSettings(host_delay=0)) as f, pytest.raises(FetchError) as info:
        f.get(web.url(f"/f/{status}"))
    assert info.value.kind == kind and info.value.status == status
    assert info.value.retry_after == 120


def test_timeout(web: TestWeb) -> None:
    # Without the read timeout the page would arrive (after 5 s) and no error be raised.
    web.set("/f/slow", "<p>slow</p>", delay=5)
    with Fetcher(FetchSettings(host_delay=0, read_timeout=0.5)) as f, pytest.raises(FetchError) as info:
        f.get(web.url("/f/slow"))
    assert info.value.kind == "timeout"


def test_size_cap_streamed(web: TestWeb) -> None:
    web.set("/f/big", b"x" * 3_000_000)
    with Fetcher(FetchSettings(host_delay=0, max_bytes=1_000_000)) as f, pytest.raises(FetchError) as info:
        f.get(web.url("/f/big"))
    assert info.value.kind == "too-large"


def test_redirect_loop_bounded(web: TestWeb) -> None:
    web.set("/f/loop", b"", status=302, headers={"Location": "/f/loop"})
    with Fetcher(FetchSettings(host_delay=0, max_redirects=3)) as f, pytest.raises(FetchError) as info:
        f.get(web.url("/f/loop"))
    assert info.value.kind == "redirects"


def test_one_request_at_a_time_per_host_with_delay(web: TestWeb) -> None:
    for i in range(4):
        web.set(f"/f/polite{i}", "<p>x</p>", delay=0.2)
    with Fetcher(FetchSettings(host_delay=0.3)) as f:
        threads = [threading.Thread(target=f.get, args=(web.url(f"/f/polite{i}"),))
                   for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert web.overlapping("/f/polite") == 1
    times = sorted(t for p, _, t in web.log if p.startswith("/f/polite"))[-4:]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # The gate's delay as the server saw it (arrivals jitter a little; without the gate ~0).
    assert min(gaps) >= 0.2


def test_gzip_body_is_decoded_and_capped_after_decompression(web: TestWeb) -> None:
    page = "<ul><li><a href='/a'>政协新闻</a></li></ul>".encode() * 200
    web.set("/f/gz.html", gzip.compress(page), headers={"Content-Encoding": "gzip"})
    # ~6 MB of zeros is a few KB compressed: the cap must apply to what it expands to.
    web.set("/f/bomb.html", gzip.compress(b"0" * 6_000_000), headers={"Content-Encoding": "gzip"})
    with Fetcher(FetchSettings(host_delay=0, max_bytes=1_000_000)) as f:
        assert f.get(web.url("/f/gz.html")).body == page
        with pytest.raises(FetchError) as info:
            f.get(web.url("/f/bomb.html"))
        assert info.value.kind == "too-large"
        # The connection left with unread bytes is not reused for the next page.
        assert f.get(web.url("/f/gz.html")).body == page
    assert "gzip" in web.requests_to("/f/gz.html")[0]["Accept-Encoding"]


def test_redirect_followed_to_final_url(web: TestWeb) -> None:
    web.set("/f/old", b"", status=301, headers={"Location": "/f/new.html"})
    web.set("/f/new.html", "<p>新地址</p>")
    with Fetcher(FetchSettings(host_delay=0)) as f:
        resp = f.get(web.url("/f/old"))
    assert resp.status == 200 and resp.url == web.url("/f/new.html")
    assert "新地址" in resp.body.decode()


def test_chinese_path_and_raw_deflate(web: TestWeb) -> None:
    page = "<p>政协提案</p>".encode()
    squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # "deflate" as some servers send it: no header
    web.set("/f/提案 列表.html", squeeze.compress(page) + squeeze.flush(),
            headers={"Content-Encoding": "deflate"})
    with Fetcher(FetchSettings(host_delay=0)) as f:
        assert f.get(web.url("/f/提案 列表.html")).body == page
    assert web.requests_to("/f/提案 列表.html")  # sent percent-encoded, decoded by the server


def test_chunked_stream_capped(web: TestWeb) -> None:
    web.set("/f/endless", b"", stream=3_000_000)  # chunked, no Content-Length
    with Fetcher(FetchSettings(host_delay=0, max_bytes=1_000_000)) as f, pytest.raises(FetchError) as info:
        f.get(web.url("/f/endless"))
    assert info.value.kind == "too-large"


def test_tls_to_a_plain_port_is_a_network_error(web: TestWeb) -> None:
    with Fetcher(FetchSettings(host_delay=0, connect_timeout=2, read_timeout=2)) as f, \
            pytest.raises(FetchError) as info:
        f.get(web.url("/f/plain.html").replace("http://", "https://"))
    assert info.value.kind == "network" and "TLS" in str(info.value)
