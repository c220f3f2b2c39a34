"""One HTTP answer of a provider, read in full, and how long its ``Retry-After`` asks to wait."""

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx


@dataclass(frozen=True)
class Reply:
    """A provider's answer, its body read in full (within the size cap)."""

    status: int
    headers: httpx.Headers
    content: bytes
    url: httpx.URL

    @property
    def next_link(self) -> str | None:
        """The ``Link: <...>; rel="next"`` target, if any."""
        header = self.headers.get("link")
        if not header:
            return None
        links = httpx.Response(self.status, headers={"link": header}).links
        return links.get("next", {}).get("url") or None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
