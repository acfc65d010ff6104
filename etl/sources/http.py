"""Fetching over HTTP: one session, timeouts, retries with backoff, conditional GET, a cap.

Retries are urllib3's :class:`~urllib3.util.retry.Retry` on the session's adapter, not a
loop of ours: connection errors, read timeouts, 429 and 5xx are tried again with exponential
backoff, and a server's ``Retry-After`` is honoured (capped at ``backoff_max``, so a server
asking for an hour cannot stall a refresh that long). Bodies are streamed and reading stops
as soon as one passes the size cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from etl.sources.registry import HttpSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 1 << 16


class FetchError(Exception):
    """A URL gave no usable answer; the message says why, in one line."""


@dataclass(frozen=True)
class Validators:
    """What a server said about a body, to ask it next time whether it changed."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The conditional request headers these validators allow."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Fetched:
    """A server's answer: a body, or ``None`` for 304 Not Modified."""

    body: bytes | None
    validators: Validators
    tries: int

    @property
    def not_modified(self) -> bool:
        """The server said the copy we have is current."""
        return self.body is None


class CappedRetry(Retry):
    """urllib3's Retry, with a server's Retry-After capped at ``backoff_max``."""

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds to wait, as the server asks, but never more than ``backoff_max``."""
        return min(super().parse_retry_after(retry_after), self.backoff_max)


def make_session(settings: HttpSettings) -> requests.Session:
    """A session that identifies the tool and retries as ``settings`` say."""
    retry = CappedRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer comes back and we name its status
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.user_agent
    session.headers["Accept-Encoding"] = "gzip, deflate"
    return session


class HttpClient:
    """One session for a whole refresh (connections are reused across sources)."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self.session = make_session(settings)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def get(
        self,
        url: str,
        *,
        accept: tuple[str, ...],
        max_bytes: int | None = None,
        validators: Validators | None = None,
    ) -> Fetched:
        """GET ``url``: its body, or ``None`` when ``validators`` still match (304).

        Raises :class:`FetchError` when there is no answer after the retries, the status is
        not 200 or 304, the content type is not one of ``accept``, or the body is larger
        than ``max_bytes`` (default: the settings' cap).
        """
        cap = max_bytes or self.settings.max_bytes
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        headers = validators.headers() if validators else {}
        try:
            with self.session.get(url, headers=headers, timeout=timeout, stream=True) as response:
                tries = _tries(response)
                if response.status_code == 304:
                    if validators is None:
                        raise FetchError("HTTP 304 Not Modified to a request that asked nothing")
                    return Fetched(None, _merge(validators, response), tries)
                if response.status_code != 200:
                    after = f" after {tries} tries" if tries > 1 else ""
                    raise FetchError(f"HTTP {response.status_code} {response.reason}{after}")
                content_type = response.headers.get("Content-Type", "")
                media = content_type.split(";")[0].strip().lower()
                if media not in accept:
                    raise FetchError(
                        f"content type {media or 'none'!r}, expected {' or '.join(accept)}"
                    )
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"body of {declared} bytes is over the {cap}-byte cap")
                body = bytearray()
                for chunk in response.iter_content(_CHUNK):
                    body += chunk
                    if len(body) > cap:
                        raise FetchError(f"body is over the {cap}-byte cap; stopped reading")
                return Fetched(bytes(body), _merge(Validators(), response), tries)
        except requests.exceptions.RequestException as exc:
            raise FetchError(self._describe(exc)) from None

    def _describe(self, exc: requests.exceptions.RequestException) -> str:
        """One line for a request that got no answer (after its retries, if any)."""
        chain = _chain(exc)
        tries = self.settings.retries + 1 if any(isinstance(e, MaxRetryError) for e in chain) else 1
        counted = f" ({tries} tries)" if tries > 1 else ""
        if any(isinstance(e, ReadTimeoutError | requests.exceptions.ReadTimeout) for e in chain):
            return f"no answer within the {self.settings.read_timeout:g}s read timeout{counted}"
        refused = any(isinstance(e, NewConnectionError) for e in chain)  # a ConnectTimeoutError
        if not refused and any(isinstance(e, ConnectTimeoutError) for e in chain):
            return f"no connection within {self.settings.connect_timeout:g}s{counted}"
        text = str(chain[-1])
        # urllib3 prefixes the connection object's repr: "<...HTTPConnection object at 0x..>: "
        if text.startswith("<") and ">: " in text:
            text = text.split(">: ", 1)[1]
        return f"connection failed: {' '.join(text.split())}{counted}"


def _tries(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", None) or ()
    return len(history) + 1


def _merge(old: Validators, response: requests.Response) -> Validators:
    """The validators of a response, keeping old ones a 304 did not repeat."""
    return Validators(
        etag=response.headers.get("ETag") or old.etag,
        last_modified=response.headers.get("Last-Modified") or old.last_modified,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the reasons it wraps (requests wraps urllib3, which wraps the socket's)."""
    chain: list[BaseException] = [exc]
    while True:
        current = chain[-1]
        reason = getattr(current, "reason", None)
        nested = reason if isinstance(reason, BaseException) else None
        if nested is None and current.args and isinstance(current.args[0], BaseException):
            nested = current.args[0]
        if nested is None or nested in chain:
            return chain
        chain.append(nested)
