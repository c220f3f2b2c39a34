"""What every benchmark shares: Django set up on the bench settings, timers, figures.

A figure is a dict: ``name``, ``value``, ``unit``, ``op`` and ``target`` (the target is met
when ``value op target``; no target for a figure reported for information), ``met``
(True/False/None) and ``how`` (what exactly was measured).
"""

import atexit
import contextlib
import os
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BACKENDS = {
    # name -> (AI_MODELS_TEST_DB, AI_MODELS_TEST_CACHE)
    "sqlite-locmem": ("sqlite", "locmem"),
    "postgres-redis": ("postgres", "redis"),
}


def log(message):
    """Progress on stderr (stdout may carry JSON)."""
    print(message, file=sys.stderr, flush=True)


# --- setup --------------------------------------------------------------------------------


def setup(backend: str = "sqlite-locmem"):
    """Configure Django with ``bench.settings`` on ``backend`` and migrate a fresh database.

    Call once per process, before anything imports Django models.
    """
    import django
    from django.conf import settings

    if settings.configured:
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    db, cache = BACKENDS[backend]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["AI_MODELS_TEST_DB"] = db
    os.environ["AI_MODELS_TEST_CACHE"] = cache
    os.environ["AI_MODELS_TEST_THEME"] = "plain"
    if db == "sqlite" and not os.environ.get("AI_MODELS_BENCH_SQLITE"):
        path = Path(tempfile.gettempdir()) / f"ai-models-bench-{os.getpid()}.sqlite3"
        os.environ["AI_MODELS_BENCH_SQLITE"] = str(path)
        _remove_sqlite(path)
        atexit.register(_remove_sqlite, path)
    django.setup()
    if db == "postgres":
        _recreate_pg_database(settings.DATABASES["default"])
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if cache == "redis":
        # The bench's own Redis db (see bench/settings.py), never the tests' one.
        from django.core.cache import caches

        caches["default"].clear()


def _remove_sqlite(path: Path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _recreate_pg_database(config):
    """Drop and create the benchmarks' own database: a schema from this checkout's migrations, no rows."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config["PASSWORD"],
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        name = sql.Identifier(config["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def superuser_client():
    """A Django test client logged in as a staff superuser (created once)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first()
    if user is None:
        user = user_model.objects.create_superuser("bench", "bench@example.com", "bench")
    client = Client()
    client.force_login(user)
    return client


# --- timing -------------------------------------------------------------------------------

# CPython (3.11, 3.12) keeps frames in 16 kB chunks and maps a new chunk, then unmaps it, each
# time a call crosses the end of one. Where a request starts in its chunk depends on how deep
# its caller is, and at some depths a page crosses thousands of times (measured: ~8,000 mmap +
# munmap pairs per Browse catalog page, and page times from 37 to 108 ms for the same page
# with 0 to 150 extra frames above it). Every timed call therefore runs at each of these extra
# depths in turn, the same for every contender, so no page is measured at one lucky or unlucky
# depth.
DEPTHS = tuple(range(0, 160, 8))


def at_depth(extra: int, func):
    """``func()``, called ``extra`` frames deeper than the caller."""
    return func() if extra <= 0 else at_depth(extra - 1, func)



def compare(funcs: dict, repeat: int = 2 * len(DEPTHS), min_time: float = 0.03) -> dict:
    """Seconds per call of each fast function, ``repeat`` rounds interleaved: name -> [per round].

    Each round times every function once (a timeit loop of about ``min_time`` s), in an order
    rotated from round to round, so a load change on a shared machine hits all of them alike
    and ratios can be taken round by round (see ``ratio``). Each round runs at the next of
    ``DEPTHS``.
    """
    timers, numbers = {}, {}
    for name, func in funcs.items():
        func()
        timers[name] = timeit.Timer(func)
        number, elapsed = timers[name].autorange()  # at least 0.2 s: a steady estimate of the speed
        numbers[name] = max(1, round(number * min_time / elapsed))
    names, rounds = list(funcs), {name: [] for name in funcs}
    for round_ in range(repeat):
        shift, depth = round_ % len(names), DEPTHS[round_ % len(DEPTHS)]
        for name in names[shift:] + names[:shift]:
            elapsed = at_depth(depth, lambda name=name: timers[name].timeit(numbers[name]))
            rounds[name].append(elapsed / numbers[name])
    return rounds


def ratio(numerator: list, denominator: list) -> float:
    """Median of the round-by-round ratios of two ``compare`` series."""
    return statistics.median(a / b for a, b in zip(numerator, denominator))


def per_request(func, repeat: int, warmup: int = 2, depth: int = 0) -> list:
    """Seconds of each of ``repeat`` calls of a slow ``func`` (a page request) after ``warmup`` calls.

    Each call runs ``depth`` frames deeper (see ``DEPTHS``); the clock is read at that depth too.
    """
    for _ in range(warmup):
        at_depth(depth, func)

    def timed():
        started = time.perf_counter()
        func()
        return time.perf_counter() - started

    return [at_depth(depth, timed) for _ in range(repeat)]


def median(values) -> float:
    return statistics.median(values)


def queries_of(func, sql: list | None = None) -> int:
    """SQL queries ``func()`` runs on the default database (their SQL appended to ``sql`` if given)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    if sql is not None:
        sql += [query["sql"] for query in captured.captured_queries]
    return len(captured)


# --- figures ------------------------------------------------------------------------------

OPS = {"≤": lambda value, target: value <= target, "≥": lambda value, target: value >= target}


def figure(name, value, target=None, *, op="≤", unit="×", how="", shown=None) -> dict:
    """A measured figure and whether it meets its target (None: for information, no target)."""
    met = None if target is None else OPS[op](value, target)
    return {
        "name": name,
        "value": round(value, 3) if isinstance(value, float) else value,
        "shown": shown,  # how to print the value when it is not one number
        "unit": unit,
        "op": op,
        "target": target,
        "met": met,
        "how": how,
    }


def same_queries_figure(label: str, per: str, counts: dict, vanilla: str, vanilla_queries: int) -> dict:
    """"<label>: SQL queries per <per> at 100 / 1,000 / 10,000 entries", met when every size runs as many.

    ``counts``: catalog size -> queries of one request.
    """
    sizes = sorted(counts)
    return figure(
        f"{label}: SQL queries per {per} at " + " / ".join(f"{size:,}" for size in sizes) + " entries",
        max(counts.values()) - min(counts.values()),
        0,
        unit="",
        shown=" / ".join(str(counts[size]) for size in sizes),
        how="CaptureQueriesContext around one GET; target: the same count at every size (cachalot off); "
        f"{vanilla}: {vanilla_queries}",
    )


def size_ratio_figure(label: str, timings: dict, ms: dict, rounds: int, target: float = 3.0) -> dict:
    """"<label> at 10,000 ÷ at 100 entries": the largest catalog's time over the smallest's.

    ``timings``: catalog size -> seconds per round; ``ms``: catalog size -> median ms.
    """
    small, large = min(timings), max(timings)
    return figure(
        f"{label} at {large:,} ÷ at {small:,} entries",
        ratio(timings[large], timings[small]),
        target,
        how=f"median of {rounds} round-by-round ratios; median ms per GET: "
        + ", ".join(f"{size:,}: {ms[size]}" for size in sorted(ms)),
    )


def from_bench_catalog(fig: dict) -> dict:
    """A ``bench_catalog`` figure (always "≤ target") in this module's form."""
    return figure(fig["name"], fig["value"], fig["target"], op="≤", unit=fig.get("unit", "×"), how=fig["how"])
