"""The time usage is counted in (UTC); tests set it (``usage.clock.set``) instead of waiting."""

import time
from datetime import UTC, datetime

_fixed: float | None = None


def now() -> float:
    """Seconds since the epoch: the real time, or the time a test set."""
    return time.time() if _fixed is None else _fixed


def set(timestamp: float | None):  # noqa: A001 - the clock's own verb
    """Fix the time (``None``: the real time again)."""
    global _fixed
    _fixed = timestamp


def today():
    """The UTC date of ``now()``."""
    return datetime.fromtimestamp(now(), UTC).date()


def month_start(timestamp: float | None = None) -> datetime:
    """The first instant of the UTC month of ``timestamp`` (default now)."""
    moment = datetime.fromtimestamp(now() if timestamp is None else timestamp, UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
