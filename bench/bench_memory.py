"""Peak RSS growth of a process from caching a 10,000-entry catalog, ÷ the catalog's raw JSON size.

Run each function in a fresh process (``run.py`` does): RSS only grows back to the peak of
whatever ran before, so a process that did other work first would show too little.

The peak is the kernel's own high-water mark (``VmHWM`` in ``/proc/self/status``), reset to
the current RSS just before the measured step by writing ``5`` to ``/proc/self/clear_refs``
(Linux ≥ 4.0). Where that reset is refused, the step runs with the high-water mark as it
was, which can only hide growth below it: the result says which method was used.
"""

import gc
import json
from pathlib import Path

from bench import bench_catalog
from bench.common import figure

STATUS = Path("/proc/self/status")
COUNT = 10_000


def _status_kb(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_kb("VmHWM") <= _status_kb("VmRSS") + 64


def _warm_up():
    """Import and exercise every code path on a small catalog, so only the data counts later."""
    from ai_models import catalog

    with bench_catalog._settings({"bench1": {"MODELS": 200, "SEED": 99}}):
        catalog.refresh()
        bench_catalog._page_view("warm up")
    bench_catalog._reset()


def _measure(step) -> dict:
    gc.collect()
    reset = _reset_peak()
    before_rss, before_hwm = _status_kb("VmRSS"), _status_kb("VmHWM")
    step()
    gc.collect()
    after_rss, peak = _status_kb("VmRSS"), _status_kb("VmHWM")
    return {
        "method": "VmHWM reset through /proc/self/clear_refs" if reset else "VmHWM not reset (clear_refs refused)",
        "rss_before_kb": before_rss,
        "peak_kb": peak,
        "rss_after_kb": after_rss,
        "peak_growth_bytes": (peak - (before_rss if reset else before_hwm)) * 1024,
        "retained_growth_bytes": (after_rss - before_rss) * 1024,
    }


def bench_memory_cached(count: int = COUNT) -> dict:
    """Caching (locmem) and serving a cold page of a ``count``-entry catalog the provider has parsed.

    The baseline holds the provider's parsed list (what ``fetch_catalog`` returns): the cache's
    cost is what comes after it. Measured: encoding and storing in the cache, dropping the
    provider's list, decoding in a fresh memo, the search index and one filtered, searched and
    sorted page.
    """
    from ai_models import catalog

    _warm_up()
    payload = bench_catalog.synthetic_payload(count)
    raw = bench_catalog.raw_json_size(payload)
    with bench_catalog._settings({"bench1": {"MODELS": count}}):
        bench_catalog._PREPARSED["bench1"] = bench_catalog._bench_provider_class().parse_catalog(payload)

        def step():
            catalog.refresh()
            bench_catalog._PREPARSED.clear()  # the provider's list is gone once cached
            catalog.clear_memo()  # as a worker that did not fetch: decode from the cache
            bench_catalog._page_view(bench_catalog.QUERIES[0])

        memory = _measure(step)
    return _result(
        memory,
        count,
        raw,
        figure(
            f"peak RSS growth, {count:,}-entry catalog cached + served ÷ raw JSON",
            memory["peak_growth_bytes"] / raw,
            3.0,
            how="a fresh process; baseline holds the provider's parsed list; peak covers storing in locmem "
            "(the pickled bytes live in this process), decoding, search index and one page; " + memory["method"],
        ),
    )


def bench_memory_fetched(count: int = COUNT) -> dict:
    """For information: the same, from the provider's JSON bytes (decoding and parsing included)."""
    from ai_models import catalog

    _warm_up()
    payload = bench_catalog.synthetic_payload(count)
    raw_bytes = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    bench_catalog.synthetic_payload.cache_clear()
    del payload
    with bench_catalog._settings({"bench1": {"MODELS": count}}):
        # The response body, decoded as httpx's response.json() would.
        bench_catalog._CLASSES["Bench1"].fetch_payload = lambda self: json.loads(raw_bytes)

        def step():
            catalog.refresh()
            catalog.clear_memo()
            bench_catalog._page_view(bench_catalog.QUERIES[0])

        memory = _measure(step)
    return _result(
        memory,
        count,
        len(raw_bytes),
        figure(
            f"peak RSS growth, {count:,}-entry catalog fetched + cached + served ÷ raw JSON",
            memory["peak_growth_bytes"] / len(raw_bytes),
            how="for information: as above, but the baseline holds only the response's JSON bytes, so JSON "
            "decoding and parsing count too; " + memory["method"],
        ),
    )


def _result(memory, count, raw, fig) -> dict:
    return {"entries": count, "raw_json_bytes": raw, **memory, "figures": [fig]}
