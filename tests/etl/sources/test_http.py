"""Fetching against a real HTTP server on 127.0.0.1: retries on 5xx and 429 (honouring
Retry-After), timeouts, content type, the size cap, conditional GET, and the last good copy
that every failure falls back to."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.files import FileKind
from etl.sources.cache import SourceCache
from etl.sources.collect import Unit, fetch_unit
from etl.sources.http import FetchError, HttpClient, Validators
from etl.sources.json_rows import rows_to_csv
from etl.sources.registry import HttpSettings
from tests.etl.sources.conftest import TEST_AGENT

ROWS = [
    {
        "date": "2025-06-12",
        "type": "investment",
        "company": "Meta",
        "counterparty": "Scale AI",
        "amount": "14.3B",
        "currency": "USD",
        "title": "Meta invests in Scale AI",
        "source_url": "https://example.com/a",
    }
]
JSON = ("application/json",)


@pytest.fixture
def client(settings: HttpSettings) -> Iterator[HttpClient]:
    with HttpClient(settings) as http:
        yield http


def json_unit(url: str, max_bytes: int | None = None) -> Unit:
    return Unit(
        name="events.csv",
        url=url,
        what=url,
        accept=JSON,
        recipe="r1",
        convert=lambda body: rows_to_csv(body, FileKind.EVENTS),
        kind=FileKind.EVENTS,
        max_bytes=max_bytes,
    )


# --- the client ---------------------------------------------------------------------


def test_a_plain_fetch_names_the_tool_and_its_contact(
    server: HTTPServer, client: HttpClient
) -> None:
    server.expect_request("/rows.json", headers={"User-Agent": TEST_AGENT}).respond_with_json(ROWS)
    fetched = client.get(server.url_for("/rows.json"), accept=JSON)
    assert json.loads(fetched.body or b"") == ROWS
    assert fetched.tries == 1


def test_a_500_is_tried_again_and_the_200_that_follows_is_used(
    server: HTTPServer, client: HttpClient
) -> None:
    server.expect_ordered_request("/rows.json").respond_with_data("boom", status=500)
    server.expect_ordered_request("/rows.json").respond_with_json(ROWS)
    fetched = client.get(server.url_for("/rows.json"), accept=JSON)
    assert json.loads(fetched.body or b"") == ROWS
    assert fetched.tries == 2
    server.check_assertions()


def test_a_500_that_persists_fails_after_every_try(server: HTTPServer, client: HttpClient) -> None:
    server.expect_request("/rows.json").respond_with_data("boom", status=503)
    with pytest.raises(FetchError, match=r"^HTTP 503 SERVICE UNAVAILABLE after 3 tries$"):
        client.get(server.url_for("/rows.json"), accept=JSON)
    assert len(server.log) == 3  # retries=2


def test_a_429_waits_as_long_as_retry_after_asks(server: HTTPServer, client: HttpClient) -> None:
    server.expect_ordered_request("/rows.json").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    server.expect_ordered_request("/rows.json").respond_with_json(ROWS)
    began = time.monotonic()
    fetched = client.get(server.url_for("/rows.json"), accept=JSON)
    waited = time.monotonic() - began
    assert fetched.tries == 2
    # The backoff alone would be 0 s before the first retry: the wait is the server's.
    assert 1.0 <= waited < 1.9


def test_retry_after_is_capped_at_backoff_max(server: HTTPServer, settings: HttpSettings) -> None:
    server.expect_ordered_request("/rows.json").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "3600"})
    )
    server.expect_ordered_request("/rows.json").respond_with_json(ROWS)
    began = time.monotonic()
    with HttpClient(settings.model_copy(update={"backoff_max": 0.2})) as http:
        http.get(server.url_for("/rows.json"), accept=JSON)
    assert time.monotonic() - began < 1.0


@pytest.fixture
def stalled(server: HTTPServer) -> Iterator[list[float]]:
    """``/slow`` answers only after 5 s (or when the test ends); yields the arrival times."""
    release = threading.Event()
    arrivals: list[float] = []

    def handler(request: Request) -> Response:
        arrivals.append(time.monotonic())
        release.wait(5)
        return Response(json.dumps(ROWS), content_type="application/json")

    server.expect_request("/slow").respond_with_handler(handler)
    yield arrivals
    release.set()


def test_a_server_slower_than_the_read_timeout_fails_after_its_tries(
    server: HTTPServer, settings: HttpSettings, stalled: list[float]
) -> None:
    quick = settings.model_copy(update={"read_timeout": 0.3, "retries": 1})
    began = time.monotonic()
    with HttpClient(quick) as http, pytest.raises(FetchError) as failure:
        http.get(server.url_for("/slow"), accept=JSON)
    assert str(failure.value) == "no answer within the 0.3s read timeout (2 tries)"
    assert len(stalled) == 2  # a read timeout on a GET is tried again
    assert 0.6 <= time.monotonic() - began < 3


def test_a_closed_port_fails_with_the_reason(settings: HttpSettings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        HttpClient(settings) as http,
        pytest.raises(FetchError, match=r"^connection failed: .*refused \(3 tries\)$"),
    ):
        http.get(f"http://127.0.0.1:{port}/rows.json", accept=JSON)


def test_a_wrong_content_type_is_refused(server: HTTPServer, client: HttpClient) -> None:
    server.expect_request("/rows.json").respond_with_data(
        "<html>maintenance</html>", content_type="text/html"
    )
    with pytest.raises(FetchError, match=r"content type 'text/html', expected application/json"):
        client.get(server.url_for("/rows.json"), accept=JSON)


def test_a_body_over_the_cap_is_refused_by_its_length(
    server: HTTPServer, client: HttpClient
) -> None:
    server.expect_request("/big.json").respond_with_data(
        b"[" + b" " * 5000 + b"]", content_type="application/json"
    )
    with pytest.raises(FetchError, match="body of 5002 bytes is over the 1000-byte cap"):
        client.get(server.url_for("/big.json"), accept=JSON, max_bytes=1000)


def test_a_streamed_body_stops_being_read_past_the_cap(
    server: HTTPServer, client: HttpClient
) -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        for _ in range(10_000):  # 640 MB if read to the end
            sent.append(1)
            yield b"x" * 65536

    server.expect_request("/stream.json").respond_with_response(
        Response(endless(), content_type="application/json")  # chunked: no Content-Length
    )
    with pytest.raises(FetchError, match="over the 100000-byte cap; stopped reading"):
        client.get(server.url_for("/stream.json"), accept=JSON, max_bytes=100_000)
    assert len(sent) < 100


def test_a_conditional_get_sends_the_validators_and_gets_304(
    server: HTTPServer, client: HttpClient
) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            json.dumps(ROWS),
            content_type="application/json",
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"},
        )

    server.expect_request("/rows.json").respond_with_handler(handler)
    first = client.get(server.url_for("/rows.json"), accept=JSON)
    assert first.validators == Validators('"v1"', "Wed, 01 Jan 2025 00:00:00 GMT")
    second = client.get(server.url_for("/rows.json"), accept=JSON, validators=first.validators)
    assert second.not_modified
    assert second.validators == first.validators
    request = server.log[-1][0]
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


# --- one unit: fetch, check, cache, and the last good copy -----------------------------


@pytest.fixture
def cache(tmp_path: Path) -> SourceCache:
    return SourceCache(tmp_path / "cache", "feed")


def test_a_good_body_becomes_the_cached_copy(
    server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    server.expect_request("/rows.json").respond_with_json(ROWS, headers={"ETag": '"a"'})
    result = fetch_unit(client, cache, json_unit(server.url_for("/rows.json")))
    assert (result.state, result.error) == ("fetched", None)
    assert result.file is not None and result.file.path == cache.path("events.csv")
    assert (
        cache.path("events.csv")
        .read_text()
        .startswith("date,type,company,counterparty,amount,currency,title,source_url,")
    )
    meta = cache.meta("events.csv")
    assert meta is not None and meta.etag == '"a"'
    assert sorted(p.name for p in cache.folder.iterdir()) == ["events.csv", "events.csv.meta.json"]


GARBAGE = [
    pytest.param(
        Response('[{"date": "2025', content_type="application/json"),
        "not valid JSON",
        id="truncated",
    ),
    pytest.param(
        Response("<html/>", content_type="text/html"), "content type 'text/html'", id="html"
    ),
    pytest.param(
        Response('{"error": "rate"}', content_type="application/json"),
        "JSON is dict, not an array",
        id="object",
    ),
    pytest.param(
        Response('[{"title": "x"}]', content_type="application/json"),
        "item #0 lacks required key(s) date",
        id="keys",
    ),
    pytest.param(
        Response(json.dumps([{**ROWS[0], "notes": {"a": 1}}]), content_type="application/json"),
        "item #0 has a nested dict value",
        id="nested",
    ),
    pytest.param(Response("boom", status=500), "HTTP 500", id="500"),
    pytest.param(
        Response("[" + " " * 2000 + "]", content_type="application/json"),
        "over the 1000-byte cap",
        id="too-big",
    ),
]


@pytest.mark.parametrize(("answer", "says"), GARBAGE)
def test_a_failed_fetch_keeps_the_last_good_copy(
    answer: Response, says: str, server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    url = server.url_for("/rows.json")
    server.expect_ordered_request("/rows.json").respond_with_json(ROWS)
    server.expect_request("/rows.json").respond_with_response(answer)
    good = fetch_unit(client, cache, json_unit(url, max_bytes=1000))
    before = cache.path("events.csv").read_bytes()

    result = fetch_unit(client, cache, json_unit(url, max_bytes=1000))
    assert result.state == "last_good"
    assert result.error is not None and result.error.startswith(f"{url}: ")
    assert says in result.error
    assert cache.path("events.csv").read_bytes() == before
    assert result.file is not None and good.file is not None
    assert result.file.scan.sha256 == good.file.scan.sha256
    assert not list(cache.folder.glob("*.part"))


def test_without_a_good_copy_a_failure_gives_no_file(
    server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    server.expect_request("/rows.json").respond_with_data("boom", status=500)
    result = fetch_unit(client, cache, json_unit(server.url_for("/rows.json")))
    assert (result.state, result.file) == ("missing", None)


def test_304_reuses_the_cached_copy_untouched(
    server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(json.dumps(ROWS), content_type="application/json", headers={"ETag": '"v1"'})

    server.expect_request("/rows.json").respond_with_handler(handler)
    unit = json_unit(server.url_for("/rows.json"))
    fetch_unit(client, cache, unit)
    stat = cache.path("events.csv").stat()
    result = fetch_unit(client, cache, unit)
    assert (result.state, result.error) == ("not_modified", None)
    assert seen == [None, '"v1"']
    assert cache.path("events.csv").stat().st_mtime_ns == stat.st_mtime_ns


def test_a_changed_recipe_asks_for_the_whole_body_again(
    server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("If-None-Match"))
        return Response(json.dumps(ROWS), content_type="application/json", headers={"ETag": '"v1"'})

    server.expect_request("/rows.json").respond_with_handler(handler)
    unit = json_unit(server.url_for("/rows.json"))
    fetch_unit(client, cache, unit)
    fetch_unit(client, cache, Unit(**{**unit.__dict__, "recipe": "r2"}))
    assert seen == [None, None]


def test_a_cached_copy_that_does_not_match_its_meta_is_not_vouched_for(
    server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("If-None-Match"))
        return Response(json.dumps(ROWS), content_type="application/json", headers={"ETag": '"v1"'})

    server.expect_request("/rows.json").respond_with_handler(handler)
    unit = json_unit(server.url_for("/rows.json"))
    fetch_unit(client, cache, unit)
    with cache.path("events.csv").open("a") as handle:
        handle.write("edited by hand\n")
    fetch_unit(client, cache, unit)
    assert seen == [None, None]


def csv_unit(url: str) -> Unit:
    return Unit(
        name="events.csv",
        url=url,
        what=url,
        accept=("text/csv",),
        recipe="c1",
        convert=lambda body: body,
        kind=FileKind.EVENTS,
        max_bytes=None,
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            b"date,type,company,title\n2025-01-01,partnership,Meta,x\n",
            "line 1: missing required column(s) counterparty, amount, currency, source_url",
        ),
        (
            b"date,type,company,counterparty,amount,currency,title,source_url\n2025,talent,Caf\xe9,,,,x,https://e.com\n",
            "line 2: is not UTF-8 (byte 0xe9)",
        ),
        (b"", "line 1: is empty"),
    ],
    ids=["missing-columns", "not-utf8", "empty"],
)
def test_a_csv_source_must_be_utf8_with_the_required_header(
    body: bytes, says: str, server: HTTPServer, client: HttpClient, cache: SourceCache
) -> None:
    server.expect_request("/events.csv").respond_with_data(body, content_type="text/csv")
    result = fetch_unit(client, cache, csv_unit(server.url_for("/events.csv")))
    assert (result.state, result.file) == ("missing", None)
    assert result.error is not None
    assert result.error.startswith(f"{server.url_for('/events.csv')}: {says}")
    assert not cache.path("events.csv").exists()
