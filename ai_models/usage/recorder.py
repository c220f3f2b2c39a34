"""Counting calls in the process: ``record`` adds to in-memory aggregates per minute, capability,
model, outcome and user, and a thread flushes them every ``USAGE_FLUSH_INTERVAL`` seconds (to Redis
when the shared cache is Redis, else straight to the database: ``store``). Nothing is written on the
request path. A clean exit flushes what is left; a crash loses at most one interval of this
process's counts; a forked child starts empty (its parent still holds and flushes its own).
"""

import atexit
import contextvars
import logging
import os
import threading
import time
from contextlib import contextmanager

from . import clock
from .meter import (
    CALLS, COST, LATENCY, METER, OK, TAIL_BYTES, TOKENS_IN, TOKENS_OUT, UNCOSTED, UNITS, WIDTH, Meter,
    answer_counts, error_outcome, latency_bucket, request_units, status_outcome,
)

logger = logging.getLogger("ai_models")


_user = contextvars.ContextVar("ai_models_usage_user", default="")


@contextmanager
def acting_user(user):
    """Count the calls made inside (and check budgets) for ``user`` (a user or its primary key)."""
    token = _user.set("" if user is None else str(getattr(user, "pk", user) or ""))
    try:
        yield
    finally:
        _user.reset(token)


def current_user() -> str:
    """The primary key (as text) of the user calls are made for, or ""."""
    return _user.get()


class _Pending:
    """This process's unflushed aggregates, and the spend recorded since budgets last read it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict[tuple, list] = {}
        self.spent: dict[tuple, int] = {}  # (capability, user) -> pico since ``budgets`` last read the database
        self.pid = os.getpid()
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()


_pending = _Pending()


def record(meter: Meter, outcome: str, latency: float, tokens_in=None, tokens_out=None, units=None, cost=None):
    """Count one call of ``meter``'s model: ``latency`` in seconds, ``cost`` in picodollars (None:
    from the tokens and the model's prices; a failed call is not billed). Never does I/O."""
    if cost is None:
        cost = meter.cost(tokens_in, tokens_out) if outcome == OK else 0
    user = _user.get()
    key = (int(clock.now() // 60), meter.capability, meter.provider, meter.model_id, outcome, user)
    milliseconds = latency * 1000
    pending = _pending
    if pending.pid != os.getpid() or pending.thread is None:
        _start()
        pending = _pending
    with pending.lock:
        row = pending.rows.get(key)
        if row is None:
            row = pending.rows[key] = [0] * WIDTH
        row[CALLS] += 1
        row[TOKENS_IN] += tokens_in or 0
        row[TOKENS_OUT] += tokens_out or 0
        row[UNITS] += units or 0
        row[LATENCY] += int(milliseconds)
        row[LATENCY + 1 + latency_bucket(milliseconds)] += 1
        if cost is None:
            row[UNCOSTED] += 1
        elif cost:
            row[COST] += cost
            spent_key = (meter.capability, user)
            pending.spent[spent_key] = pending.spent.get(spent_key, 0) + cost


def take() -> dict[tuple, list]:
    """The aggregates recorded so far, handed over (the process starts counting afresh)."""
    with _pending.lock:
        rows, _pending.rows = _pending.rows, {}
    return rows


def give_back(rows: dict[tuple, list]):
    """Aggregates a flush could not write, added back so the next flush tries again."""
    with _pending.lock:
        for key, counters in rows.items():
            row = _pending.rows.setdefault(key, [0] * WIDTH)
            for index, value in enumerate(counters):
                row[index] += value


def unflushed_spend(month_minute: int) -> dict[tuple, int]:
    """Picodollars per ``(capability, user)`` recorded from ``month_minute`` on and not flushed yet;
    what is recorded from now on is counted apart (``spent_since_read``)."""
    totals: dict[tuple, int] = {}
    with _pending.lock:
        _pending.spent = {}
        for (minute, capability, _provider, _model, _outcome, user), row in _pending.rows.items():
            if minute >= month_minute and row[COST]:
                totals[capability, user] = totals.get((capability, user), 0) + row[COST]
    return totals


def spent_since_read() -> dict[tuple, int]:
    return _pending.spent


def flush():
    """Write this process's aggregates now (to Redis or the database, see ``store``)."""
    from . import store

    rows = take()
    if rows:
        try:
            store.save(rows)
        except Exception:  # the database or Redis failing: kept for the next flush, never raised into a page
            logger.exception("AI models: usage counters could not be written; kept for the next flush.")
            give_back(rows)
            return False
    return True


def _run(stop: threading.Event, interval: float):
    from django.db import connections

    from . import store

    while not stop.wait(interval):
        try:
            flush()
            store.drain()
        except Exception:  # Redis or the database failing: the counts wait in Redis for the next drain
            logger.exception("AI models: usage counters could not be moved to the database.")
        finally:
            connections.close_all()  # this thread's connections, not the request threads'


def _start():
    """Start this process's flushing thread (again in a forked child, which drops its parent's counts)."""
    global _pending
    from ..conf import ai_settings

    with _start_lock:
        if _pending.pid != os.getpid():
            _pending = _Pending()
        if _pending.thread is not None:
            return
        interval = ai_settings.USAGE_FLUSH_INTERVAL
        thread = threading.Thread(target=_run, args=(_pending.stop, interval), name="ai-models-usage", daemon=True)
        _pending.thread = thread
        if interval > 0:
            thread.start()


_start_lock = threading.Lock()


def discard():
    """Forget every unflushed count and stop the thread (tests; a new one starts on the next call)."""
    global _pending
    _pending.stop.set()
    _pending = _Pending()


@atexit.register
def _flush_at_exit():
    if _pending.pid == os.getpid() and _pending.rows:
        _pending.stop.set()
        if flush():
            from . import store

            try:
                store.drain()
            except Exception:  # left in Redis for the next drain
                logger.exception("AI models: usage counters could not be moved to the database at exit.")


class Tally:
    """One exchange being counted: started when the request goes out, finished once."""

    __slots__ = ("meter", "started", "units", "tail", "status", "done")

    def __init__(self, meter: Meter, units: float | None = None):
        self.meter, self.units, self.started = meter, units, time.perf_counter()
        self.tail, self.status, self.done = b"", None, False

    def feed(self, chunk: bytes):
        """A decoded piece of the answer (only its last ``TAIL_BYTES`` are kept)."""
        self.tail = (self.tail + chunk)[-TAIL_BYTES:] if len(chunk) < TAIL_BYTES else chunk[-TAIL_BYTES:]

    def finish(self, error: BaseException | None = None):
        """Count the exchange (once): its outcome, latency and what the answer says it used."""
        if self.done:
            return
        self.done = True
        if error is None and self.status is not None and 300 <= self.status < 400:
            return  # a redirect: the request it leads to is counted
        latency = time.perf_counter() - self.started
        if error is not None or self.status is None:
            record(self.meter, error_outcome(error) if error is not None else "error", latency)
            return
        outcome = status_outcome(self.status)
        tokens_in, tokens_out, duration = answer_counts(self.tail) if outcome == OK else (None, None, None)
        units = duration if self.meter.kind == "transcription" else self.units
        record(self.meter, outcome, latency, tokens_in, tokens_out, units if outcome == OK else None)


def tally(meter: Meter | None, request) -> Tally | None:
    """A ``Tally`` of ``request`` for ``meter`` (the request's own ``METER`` extension first)."""
    meter = request.extensions.get(METER) or meter
    if meter is None:
        return None
    units = None
    if meter.kind in ("image", "speech"):
        try:
            units = request_units(meter.kind, request.content)
        except Exception:  # a streamed body not read yet: no unit
            units = None
    return Tally(meter, units)
