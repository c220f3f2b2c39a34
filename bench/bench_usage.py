"""What counting a call costs the call: the tally the transport keeps of one exchange (started,
the answer's bytes fed, finished and recorded in the process's aggregates), sync and async, and
the flush that writes the counts later (off the request path), per call counted."""

import asyncio
import time
from decimal import Decimal

from bench.common import compare, figure, median

TARGET_US = 20.0
ANSWER = (
    b'{"id":"chatcmpl-bench","object":"chat.completion","created":1741569952,"model":"bench-model",'
    b'"choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench."},'
    b'"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}'
)
ASYNC_BATCH = 1000
FLUSHED_CALLS = 20000


def _saved_model():
    from ai_models.models import AIModel, Provider

    provider, _created = Provider.objects.get_or_create(slug="openai")
    model, _created = AIModel.objects.get_or_create(
        provider=provider, model_id="bench-usage-model", capability="chat",
        defaults={"input_price": Decimal("2"), "output_price": Decimal("8")},
    )
    return model


def bench_usage(backend: str) -> dict:
    import httpx

    from ai_models.usage import recorder, report
    from ai_models.usage.meter import METER, Meter

    model = _saved_model()
    meter = Meter.of(model)
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions", extensions={METER: meter})

    def counted_exchange():
        tally = recorder.tally(None, request)
        tally.status = 200
        tally.feed(ANSWER)
        tally.finish()

    async def counted_exchanges():
        for _ in range(ASYNC_BATCH):
            tally = recorder.tally(None, request)
            tally.status = 200
            tally.feed(ANSWER)
            tally.finish()
        await asyncio.sleep(0)

    loop = asyncio.new_event_loop()

    def async_batch():
        loop.run_until_complete(counted_exchanges())

    rounds = compare({"sync": counted_exchange, "async": async_batch}, repeat=9)
    sync_us = median(rounds["sync"]) * 1e6
    async_us = median(rounds["async"]) / ASYNC_BATCH * 1e6
    loop.close()
    recorder.discard()

    for _ in range(FLUSHED_CALLS):
        counted_exchange()
    started = time.perf_counter()
    report.collect()
    flush_us = (time.perf_counter() - started) / FLUSHED_CALLS * 1e6

    where = "PostgreSQL + Redis" if backend == "postgres-redis" else "SQLite + locmem"
    how = (
        "median per exchange over 9 interleaved rounds: a Tally started from the request's meter, a chat "
        "completion's bytes fed, finished (outcome, tokens from the answer's tail, cost, latency bucket) "
        "and added to the process's aggregates; async: the same in a coroutine, batches of "
        f"{ASYNC_BATCH} on one event loop"
    )
    return {
        "figures": [
            figure(f"recording a call, sync ({where})", sync_us, TARGET_US, unit=" µs", how=how),
            figure(f"recording a call, async ({where})", async_us, TARGET_US, unit=" µs", how=how),
            figure(
                f"flush, per call counted ({where}; off the request path)", flush_us, unit=" µs",
                how=f"{FLUSHED_CALLS} calls counted in one minute, then written "
                + ("to Redis and moved to PostgreSQL" if backend == "postgres-redis" else "to SQLite"),
            ),
        ],
    }
