"""A real HTTP server on 127.0.0.1 (pytest-httpserver, threaded) serving fixtures of the
real APIs' shapes, and HTTP settings small enough for tests (short timeouts, tiny
backoff). Nothing here reaches beyond this machine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from etl.sources.registry import HttpSettings

FIXTURES = Path(__file__).parent / "fixtures"
# A contact the SEC check accepts (".invalid" is reserved: it reaches no one).
TEST_AGENT = "ai-landscape-tests (tests tests@ai-landscape.invalid)"
META_CIK = 1326801
AMAZON_CIK = 1018724


def companyfacts(name: str) -> dict[str, Any]:
    """A hand-made company-facts document (``fixtures/companyfacts_<name>.json``)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"companyfacts_{name}.json").read_text())
    return data


def facts_path(cik: int) -> str:
    """The API path of a company-facts document."""
    return f"/api/xbrl/companyfacts/CIK{cik:010d}.json"


@pytest.fixture(scope="session")
def _threaded_server() -> Iterator[HTTPServer]:
    # One server for the session: stopping a threaded werkzeug server takes half a second.
    httpserver = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    httpserver.start()
    yield httpserver
    httpserver.stop()


@pytest.fixture
def server(_threaded_server: HTTPServer) -> Iterator[HTTPServer]:
    """A threaded server (a handler that stalls does not block the next request), with no
    expectations and an empty log at the start of each test."""
    _threaded_server.clear()
    yield _threaded_server
    _threaded_server.clear()


@pytest.fixture
def settings() -> HttpSettings:
    """Fast settings: 2 retries, 10 ms backoff factor, 2 s timeouts, a 1 MB cap."""
    return HttpSettings(
        user_agent=TEST_AGENT,
        connect_timeout=2,
        read_timeout=2,
        retries=2,
        backoff_factor=0.01,
        backoff_max=2,
        max_bytes=1_000_000,
    )
