"""A refresh from several sources, end to end, against a real HTTP server and real DuckDB
files: labels by source, the last good copy of a failing source, unchanged refreshes that
leave the file alone, and the run log kept beside the warehouse and copied into it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.errors import StrictModeError
from etl.runlog import read_runs
from etl.sources.registry import HttpSettings, Registry, single_local
from etl.sources.run import SourcesFailedError, SourcesRefresh, refresh_sources
from tests.etl.sources.conftest import META_CIK, companyfacts, facts_path
from tests.support import EVENT_COLUMNS, Row, event

Build = Callable[..., SourcesRefresh]


def csv_text(rows: Sequence[Row], columns: Sequence[str] = EVENT_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def serve(server: HTTPServer, path: str, body: str, content_type: str) -> None:
    """Serve ``body`` with an ETag, answering 304 to a request that already has it."""
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag})

    server.expect_request(path).respond_with_handler(handler)


LOCAL = [
    event(ref="e1", title="Meta invests in Scale AI"),
    event(ref="dup", company="Google", counterparty="", type="partnership", title="in local"),
    event(ref="bad", date="2025-02-30", title="a date that does not exist"),
]
EXTRA = [{"event_ref": "e1", "source_url": "https://example.com/more"}]
FUND = [
    event(ref="dup", company="Google", counterparty="", type="partnership", title="in fund"),
    event(ref="n1", company="Newco", counterparty="", type="partnership", title="a new company"),
]
FEED = [
    {
        "ref": "f1",
        "date": "2025-03",
        "type": "funding_round",
        "company": "Mistral AI",
        "counterparty": None,
        "amount": 600000000,
        "currency": "EUR",
        "title": "Mistral raises",
        "source_url": "https://example.com/feed/1",
    }
]


@pytest.fixture
def sources(
    server: HTTPServer, data_dir: Callable[..., Path], settings: HttpSettings
) -> Callable[..., Registry]:
    """A registry of four sources: a folder, a CSV and a JSON feed, and SEC capex for Meta;
    ``sources(feed=...)`` changes what the feed answers."""
    local = data_dir(LOCAL, sources=EXTRA, name="local")

    def make(feed: Response | None = None, **http: Any) -> Registry:
        server.clear_all_handlers()
        serve(server, "/fund.csv", csv_text(FUND), "text/csv")
        serve(server, facts_path(META_CIK), json.dumps(companyfacts("meta")), "application/json")
        if feed is None:
            serve(server, "/feed.json", json.dumps(FEED), "application/json")
        else:
            server.expect_request("/feed.json").respond_with_response(feed)
        return Registry.model_validate(
            {
                "http": {**settings.model_dump(), **http},
                "source": [
                    {"name": "local", "kind": "local", "path": local},
                    {"name": "fund", "kind": "remote_csv", "url": server.url_for("/fund.csv")},
                    {"name": "feed", "kind": "remote_json", "url": server.url_for("/feed.json")},
                    {
                        "name": "sec",
                        "kind": "sec_capex",
                        "base_url": server.url_for("/"),
                        "companies": [{"company": "Meta", "cik": META_CIK}],
                    },
                ],
            }
        )

    return make


@pytest.fixture
def run(seeds_dir: Path, warehouse: Path) -> Build:
    def go(registry: Registry, **kwargs: Any) -> SourcesRefresh:
        return refresh_sources(registry, warehouse, seeds_dir=seeds_dir, **kwargs)

    return go


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def test_files_of_several_sources_are_labelled_source_slash_file(
    sources: Callable[..., Registry], run: Build, warehouse: Path
) -> None:
    result = run(sources())
    assert result.run.status == "ok" and result.report is not None and result.report.swapped
    assert [
        (f.file, f.rows_read, f.loaded, f.duplicates, f.rejected) for f in result.report.files
    ] == [
        ("local/events.csv", 3, 2, 0, 1),
        ("fund/events.csv", 2, 1, 1, 0),  # "dup" loaded from local, the earlier source
        ("feed/events.csv", 1, 1, 0, 0),
        ("sec/meta.csv", 9, 9, 0, 0),
        ("local/sources.csv", 1, 1, 0, 0),  # extra sources after every events file
    ]
    assert query(warehouse, "SELECT DISTINCT source_file FROM events ORDER BY 1") == [
        ("feed/events.csv",),
        ("fund/events.csv",),
        ("local/events.csv",),
        ("sec/meta.csv",),
    ]
    assert query(warehouse, "SELECT file, first_file FROM duplicates") == [
        ("fund/events.csv", "local/events.csv")
    ]
    assert query(warehouse, "SELECT DISTINCT file FROM rejects") == [("local/events.csv",)]
    assert query(warehouse, "SELECT first_seen_file FROM companies WHERE name = 'Newco'") == [
        ("fund/events.csv",)
    ]
    assert query(warehouse, "SELECT source_file FROM extra_sources") == [("local/sources.csv",)]
    capex = query(
        warehouse,
        "SELECT sum(amount_usd), count(*) FROM events WHERE type = 'capex'"
        " AND company_id = 'meta' AND year(date) = 2024",
    )
    assert capex == [(37256000000, 4)]  # the four quarters add up to the 10-K's full year


def test_every_file_column_names_files_by_source_label(
    sources: Callable[..., Registry], run: Build, warehouse: Path
) -> None:
    """With several sources, rows, rejects and new entities all point at <source>/<file>."""
    run(sources())
    labels = {name for (name,) in query(warehouse, "SELECT file FROM input_files")}
    assert labels and all("/" in label for label in labels)
    named = query(
        warehouse,
        "SELECT source_file FROM events UNION SELECT source_file FROM extra_sources"
        " UNION SELECT file FROM rejects UNION SELECT file FROM duplicates"
        " UNION SELECT first_file FROM duplicates"
        " UNION SELECT first_seen_file FROM companies WHERE is_new",
    )
    assert {name for (name,) in named} <= labels
    assert {"local/events.csv", "local/sources.csv"} <= {name for (name,) in named}


def test_the_run_is_logged_beside_the_warehouse_and_copied_into_it(
    sources: Callable[..., Registry], run: Build, warehouse: Path
) -> None:
    result = run(sources())
    (logged,) = read_runs(warehouse)
    assert logged == result.run
    assert [
        (s.name, s.kind, s.status, s.rows_read, s.loaded, s.duplicates, s.rejected)
        for s in logged.sources
    ] == [
        ("local", "local", "ok", 4, 3, 0, 1),
        ("fund", "remote_csv", "ok", 2, 1, 1, 0),
        ("feed", "remote_json", "ok", 1, 1, 0, 0),
        ("sec", "sec_capex", "ok", 9, 9, 0, 0),
    ]
    assert logged.events == result.report.events if result.report else False
    assert query(warehouse, "SELECT run_id, status, swapped, events FROM runs") == [
        (logged.run_id, "ok", True, logged.events)
    ]
    assert query(warehouse, "SELECT source, files FROM run_sources WHERE source = 'local'") == [
        ("local", ["local/events.csv", "local/sources.csv"])
    ]


def test_an_unchanged_refresh_leaves_the_warehouse_file_as_it_was(
    sources: Callable[..., Registry], run: Build, warehouse: Path, server: HTTPServer
) -> None:
    registry = sources()
    run(registry)
    before = identity(warehouse)
    requests_before = len(server.log)

    again = run(registry)
    assert again.report is None
    assert again.run.status == "unchanged" and not again.run.swapped
    assert [s.status for s in again.run.sources] == ["unchanged"] * 4
    assert identity(warehouse) == before  # same inode, mtime and size: readers keep theirs
    conditional = server.log[requests_before:]
    assert len(conditional) == 3  # fund, feed, one SEC company
    assert all(r.headers.get("If-None-Match") and a.status_code == 304 for r, a in conditional)
    assert [r.status for r in read_runs(warehouse)] == ["ok", "unchanged"]
    assert again.run.events == 13
    # The warehouse's copy of the history is that of its build; the log has every run.
    assert query(warehouse, "SELECT count(*) FROM runs") == [(1,)]


def test_a_failing_source_keeps_its_last_good_copy_and_the_others_refresh(
    sources: Callable[..., Registry],
    run: Build,
    warehouse: Path,
    data_dir: Callable[..., Path],
    server: HTTPServer,
) -> None:
    run(sources())
    data_dir([*LOCAL, event(ref="e2", title="one more")], sources=EXTRA, name="local")
    result = run(sources(feed=Response("boom", status=500)))

    assert result.run.status == "partial" and result.run.swapped
    feed = next(s for s in result.run.sources if s.name == "feed")
    assert (feed.status, feed.used_last_good, feed.loaded) == ("failed", True, 1)
    assert feed.error == (
        f"{server.url_for('/feed.json')}: HTTP 500 INTERNAL SERVER ERROR after 3 tries"
    )
    assert {s.name: s.status for s in result.run.sources} == {
        "local": "ok",
        "fund": "unchanged",
        "feed": "failed",
        "sec": "unchanged",
    }
    assert query(warehouse, "SELECT count(*) FROM events WHERE ref IN ('e2', 'f1')") == [(2,)]
    assert [r.status for r in read_runs(warehouse)] == ["ok", "partial"]


@pytest.mark.parametrize(
    "answer",
    [
        Response('[{"date": "2025-0', content_type="application/json"),
        Response("<html>we are down</html>", content_type="text/html"),
        Response("[" + " " * 5000 + "]", content_type="application/json"),
    ],
    ids=["truncated-json", "wrong-content-type", "over-the-cap"],
)
def test_garbage_is_refused_and_the_warehouse_keeps_the_last_good_rows(
    answer: Response, sources: Callable[..., Registry], run: Build, warehouse: Path
) -> None:
    run(sources())
    before = identity(warehouse)
    result = run(sources(feed=answer, max_bytes=4000))
    # The feed failed and its last good copy is what the warehouse has: nothing to rebuild.
    assert (result.run.status, result.report) == ("partial", None)
    assert identity(warehouse) == before
    assert query(warehouse, "SELECT title FROM events WHERE ref = 'f1'") == [("Mistral raises",)]


def test_when_every_source_fails_nothing_is_built_and_the_run_is_logged(
    server: HTTPServer, settings: HttpSettings, run: Build, warehouse: Path
) -> None:
    server.expect_request("/feed.json").respond_with_data("boom", status=502)
    registry = Registry.model_validate(
        {
            "http": settings.model_dump(),
            "source": [
                {"name": "feed", "kind": "remote_json", "url": server.url_for("/feed.json")}
            ],
        }
    )
    with pytest.raises(SourcesFailedError, match=r"every source failed \(.*HTTP 502"):
        run(registry)
    assert not warehouse.exists()
    (failed,) = read_runs(warehouse)
    assert failed.status == "failed" and "HTTP 502" in (failed.error or "")
    assert failed.sources[0].status == "failed"


def test_the_sec_source_refuses_to_ask_without_a_contact(
    sources: Callable[..., Registry], run: Build, server: HTTPServer
) -> None:
    result = run(sources(user_agent="ai-landscape/0.1"))
    sec = next(s for s in result.run.sources if s.name == "sec")
    assert sec.status == "failed" and "SEC requires a User-Agent" in (sec.error or "")
    assert not any("companyfacts" in r.path for r, _ in server.log)
    assert result.run.status == "partial"


def test_a_stale_view_of_a_replaced_warehouse_is_not_trusted(
    data_dir: Callable[..., Path], run: Build, warehouse: Path
) -> None:
    """DuckDB hands a process that still has the old file open the OLD database for a new
    connect(): the check must not take that for the live warehouse."""
    first = data_dir([event(title="A")], name="a")
    second = data_dir([event(title="B")], name="b")
    run(single_local(first))
    old = duckdb.connect(str(warehouse), read_only=True)  # a reader that never reconnects
    try:
        run(single_local(second))
        result = run(single_local(first))  # the same inputs as the stale view's
        assert result.run.status == "ok" and result.report is not None
    finally:
        old.close()
    assert query(warehouse, "SELECT title FROM events") == [("A",)]


def test_changed_seeds_rebuild(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    registry = single_local(data_dir([event()]))
    refresh_sources(registry, warehouse, seeds_dir=seeds)
    assert refresh_sources(registry, warehouse, seeds_dir=seeds).run.status == "unchanged"
    with (seeds / "aliases.csv").open("a", encoding="utf-8") as handle:
        handle.write("meta,Meta Inc,en\n")
    assert refresh_sources(registry, warehouse, seeds_dir=seeds).run.status == "ok"


def test_force_rebuilds_unchanged_inputs(
    data_dir: Callable[..., Path], run: Build, warehouse: Path
) -> None:
    registry = single_local(data_dir([event()]))
    run(registry)
    before = identity(warehouse)
    result = run(registry, force=True)
    assert result.run.status == "ok" and identity(warehouse) != before


def test_strict_refuses_an_unchanged_warehouse_that_has_rejects(
    data_dir: Callable[..., Path], run: Build, warehouse: Path
) -> None:
    registry = single_local(data_dir([event(), event(date="2025-02-30")]))
    run(registry)
    before = identity(warehouse)
    with pytest.raises(StrictModeError, match="1 row"):
        run(registry, strict=True)
    assert identity(warehouse) == before
    assert [r.status for r in read_runs(warehouse)] == ["ok", "failed"]


def test_a_bad_local_file_stops_the_run_and_is_logged(
    data_dir: Callable[..., Path], run: Build, warehouse: Path
) -> None:
    folder = data_dir([event()])
    run(single_local(folder))
    (folder / "events.csv").write_bytes(b"date,type\n")
    from etl.errors import InputError

    with pytest.raises(InputError, match="missing required column"):
        run(single_local(folder))
    failed = read_runs(warehouse)[-1]
    assert failed.status == "failed" and "missing required column" in (failed.error or "")
