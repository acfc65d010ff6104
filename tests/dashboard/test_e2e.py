"""End to end: the real Streamlit server in headless Chromium, one test per page.

The server runs ``dashboard/app.py`` on a free port against a warehouse refreshed from the
sample data. Waiting follows Streamlit's own e2e tests: poll ``/_stcore/health``, then wait
for ``[data-testid="stApp"]`` to report ``data-test-script-state="notRunning"``. Each page is
checked for exceptions and screenshotted to tests/artifacts/screenshots/<page>.png; with
``LANDSCAPE_SCREENSHOTS=docs/images`` the Overview and Timeline shots also go there (for the
README).

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` package; no browser
download. Skipped with the reason when either is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install -y chromium)"
    ),
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is missing"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served on a free loopback port; its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {**os.environ, "LANDSCAPE_WAREHOUSE": str(sample_warehouse)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not come up:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def settle(page: Page) -> None:
    """Wait until the script has run and its charts are drawn."""
    page.wait_for_timeout(250)  # let a rerun that a click or load triggers start
    page.wait_for_selector(READY, timeout=30_000)
    for chart in page.locator('[data-testid="stPlotlyChart"]').all():
        chart.locator(".main-svg").first.wait_for(timeout=30_000)


def visit(page: Page, url: str, title: str, content: str | None = None) -> None:
    """Open ``url``, wait for its title, its ``content`` (a selector) and a finished run."""
    page.goto(url)
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30_000)
    if content:
        # Chart and table components load lazily: the run can end before they are drawn.
        page.locator(content).first.wait_for(timeout=30_000)
    settle(page)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    target = os.environ.get("LANDSCAPE_SCREENSHOTS")
    if target and name in ("overview", "timeline"):
        folder = Path(target) if Path(target).is_absolute() else REPO / target
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"))  # the first screen, for the README
        assert (folder / f"{name}.png").stat().st_size > 10_000


CHART = '[data-testid="stPlotlyChart"] .main-svg'
TABLE = '[data-testid="stDataFrame"]'
PAGES = {  # url path, title, what the page must show
    "overview": ("", "Overview", CHART),
    "timeline": ("timeline", "Timeline", CHART),
    "spend": ("spend", "Spend", CHART),
    "models": ("models", "Models", CHART),
    "network": ("network", "Network", CHART),
    "explorer": ("explorer", "Explorer", TABLE),
    "data": ("data", "Data", TABLE),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_a_browser(server: str, page: Page, name: str) -> None:
    path, title, content = PAGES[name]
    visit(page, f"{server}/{path}", title, content)
    # the shared filters are in the sidebar on every page, whichever page opens first
    assert page.get_by_test_id("stSidebar").get_by_text("Companies").is_visible()
    screenshot(page, name)


def test_timeline_lane_and_click_for_sources(server: str, page: Page) -> None:
    visit(page, f"{server}/timeline?companies=Midjourney&types=Model+launch", "Timeline", CHART)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    assert chart.get_by_text("Midjourney", exact=True).is_visible()  # its swimlane
    assert page.get_by_text("Sources", exact=True).count() == 0
    chart.locator(".scatterlayer .trace .points path").first.click(force=True)
    page.get_by_text("Sources", exact=True).wait_for()
    settle(page)
    heading = page.get_by_role("heading", name="Midjourney releases")
    assert heading.first.is_visible()  # the clicked launch, with its sources below


def test_explorer_search_from_the_url_and_its_download(server: str, page: Page) -> None:
    visit(page, f"{server}/explorer?q=Midjourney", "Explorer", TABLE)
    assert page.get_by_test_id("stTextInputField").input_value() == "Midjourney"
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Meta licenses Midjourney" in text
    assert download.value.suggested_filename == "events.csv"


def test_filters_survive_moving_between_pages(server: str, page: Page) -> None:
    visit(page, f"{server}/?companies=Nvidia&period=Quarter", "Overview", CHART)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Spend").click()
    page.get_by_role("heading", name="Spend", exact=True).wait_for()
    page.locator(CHART).first.wait_for()
    settle(page)
    assert "companies=Nvidia" in page.url and "period=Quarter" in page.url
    assert page.get_by_text("Money out per quarter by deal type").is_visible()


@pytest.fixture(scope="module", autouse=True)
def _clean_screenshots() -> None:
    """Start from an empty screenshot folder so a stale picture never passes for new."""
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
