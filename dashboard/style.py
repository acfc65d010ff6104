"""Colours, labels and number formats shared by every chart and table.

A company keeps one colour on every chart: fixed colours for the three companies the
dashboard opens with, and a palette entry chosen by a hash of the name for the others (a
stable hash, not Python's salted ``hash``, so the colour is the same in every process).
Every colour is mid-bright so it reads on the light and the dark theme alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import unicodedata
from decimal import Decimal
from urllib.parse import urlsplit

FIXED_COMPANY_COLORS: dict[str, str] = {
    "meta": "#1877F2",  # Meta blue
    "openai": "#10A37F",  # OpenAI teal (its black would vanish on the dark theme)
    "google": "#EA4335",  # Google red (its blue would clash with Meta's)
}

# Mid-luminance colours, none close to the three fixed ones.
PALETTE: tuple[str, ...] = (
    "#F28E2B",
    "#9467BD",
    "#E377C2",
    "#8C564B",
    "#BCBD22",
    "#17BECF",
    "#FF9DA7",
    "#B07AA1",
    "#EDC948",
    "#76B7B2",
    "#D37295",
    "#A0CBE8",
)

TYPE_COLORS: dict[str, str] = {
    "partnership": "#4E79A7",
    "licensing": "#F28E2B",
    "investment": "#59A14F",
    "funding_round": "#E15759",
    "acquisition": "#B07AA1",
    "model_launch": "#76B7B2",
    "product_launch": "#EDC948",
    "capex": "#9C755F",
    "compute_deal": "#FF9DA7",
    "talent": "#BAB0AC",
}
OTHER_COLOR = "#8C8C8C"  # neutral grey: readable on white and on near-black

TYPE_LABELS: dict[str, str] = {
    "partnership": "Partnership",
    "licensing": "Licensing",
    "investment": "Investment",
    "funding_round": "Funding round",
    "acquisition": "Acquisition",
    "model_launch": "Model launch",
    "product_launch": "Product launch",
    "capex": "Capital expenditure",
    "compute_deal": "Compute deal",
    "talent": "Talent move",
}

PERIOD_LABELS = {"month": "month", "quarter": "quarter", "year": "year"}


def _key(name: str) -> str:
    """A company name folded for colour lookup: case and spacing do not count."""
    return "-".join(name.casefold().split())


def company_color(name: str) -> str:
    """The colour of a company (by display name or id) on every chart."""
    key = _key(name)
    if key in FIXED_COMPANY_COLORS:
        return FIXED_COMPANY_COLORS[key]
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def type_color(event_type: str) -> str:
    """The colour of an event type."""
    return TYPE_COLORS.get(event_type, OTHER_COLOR)


def type_label(event_type: str) -> str:
    """A readable label for an event type code (unknown codes are shown as they are)."""
    return TYPE_LABELS.get(event_type, event_type)


def to_float(value: object) -> float | None:
    """A number from a query cell (Decimal, int, float, NA) or ``None``."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def usd_unit(largest: float) -> tuple[float, str]:
    """Divisor and suffix for an axis whose largest absolute value is ``largest`` (USD)."""
    largest = abs(largest)
    if largest >= 1e9:
        return 1e9, "B"
    if largest >= 1e6:
        return 1e6, "M"
    if largest >= 1e3:
        return 1e3, "K"
    return 1.0, ""


def format_usd(value: object, *, signed: bool = False) -> str:
    """``$14.3B``, ``$750M``, ``$12K``; ``—`` for no amount. ``signed`` adds ``+`` to gains."""
    number = to_float(value)
    if number is None:
        return "—"
    divisor, suffix = usd_unit(number)
    scaled = abs(number) / divisor
    digits = 0 if suffix == "" or scaled >= 100 else 1
    text = f"${scaled:,.{digits}f}{suffix}"
    text = text.replace(".0" + suffix, suffix) if suffix else text
    if number < 0:
        return "-" + text
    return ("+" + text) if signed and number > 0 else text


def date_label(date: object, precision: str | None) -> str:
    """A date shown as precisely as it is known: ``2025-06-12``, ``2025-06``, ``2025-Q2``."""
    if date is None or (isinstance(date, float) and math.isnan(date)):
        return "—"
    if not isinstance(date, dt.date):
        date = dt.date.fromisoformat(str(date)[:10])
    if precision == "year":
        return f"{date.year}"
    if precision == "quarter":
        return f"{date.year}-Q{(date.month - 1) // 3 + 1}"
    if precision == "month":
        return f"{date.year}-{date.month:02d}"
    return date.isoformat()


def plot_text(value: object) -> str:
    """Data text made safe for Plotly labels and hovers.

    Plotly renders a subset of HTML in text (``<a href>``, ``<b>``, ``<br>``), so text from the
    data is escaped: it shows as written and can never become a link or markup.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=False)


def safe_url(value: object) -> str | None:
    """``value`` when it is an http(s) URL with a host, else ``None`` (never clickable)."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value.strip()
    return None


def url_host(value: object) -> str:
    """The host of an http(s) URL (``www.reuters.com``), or ``""``."""
    url = safe_url(value)
    return urlsplit(url).netloc if url else ""


_RTL_BIDI = {"R", "AL"}


def is_rtl(text: str) -> bool:
    """Whether the first strongly directional character of ``text`` is right-to-left."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in _RTL_BIDI:
            return True
        if bidi == "L":
            return False
    return False


def bidi_text(text: str) -> str:
    """Plain text isolated in its own direction (Unicode FSI ... PDI), no HTML or CSS.

    Arabic then reads right-to-left even inside a left-to-right line, and neutral characters
    (punctuation, numbers) at its ends stay with it.
    """
    return f"\u2068{text}\u2069" if is_rtl(text) else text


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:&=\"'^%@/;,?")


def md_text(value: object) -> str:
    """Data text for a Markdown-rendering element (headers, metric labels, captions).

    Every ASCII punctuation character is backslash-escaped (CommonMark allows that for any
    of them), so the text shows as written: no links, emphasis, HTML, colour or icon
    directives, LaTeX. Line breaks become spaces. Right-to-left text is bidi-isolated.
    """
    text = " ".join(str(value).split())
    escaped = "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text)
    return bidi_text(escaped)
