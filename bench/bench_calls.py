"""What a call to a model costs on top of the HTTP it needs, against a local server.

The server (``bench/chat_server.py``) runs in a process of its own and answers a chat completion
at once (or after 0.1 s under ``/slow/``), so what is measured is the client side. Each of our
ways to call is compared with the same request made the fastest plain way: a raw ``httpx`` client
kept and reused (sync and async), and a hand-made ``openai`` client kept and reused.
"""

import asyncio
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import compare, figure, log, ratio

KEY = "sk-bench-0123456789abcdefghijklmnop"
MESSAGES = [{"role": "user", "content": "Hi"}]
CONCURRENT = 30
CONCURRENT_ROUNDS = 7
SERVER = Path(__file__).with_name("chat_server.py")


@contextmanager
def chat_server():
    """The server's port while it runs."""
    process = subprocess.Popen([sys.executable, str(SERVER)], stdout=subprocess.PIPE, text=True)
    try:
        yield int(process.stdout.readline())
    finally:
        process.kill()
        process.wait()


@contextmanager
def pointed_at(port: int):
    """The openai provider pointed at the local server, and a saved model of it."""
    from django.conf import settings
    from django.test import override_settings

    from ai_models.models import AIModel, Provider

    ai_models = {
        **settings.AI_MODELS,
        "PROVIDERS": {"openai": {"BASE_URL": f"http://127.0.0.1:{port}/v1", "API_KEY": KEY}},
        "ALLOWED_HTTP_HOSTS": [f"127.0.0.1:{port}"],
    }
    with override_settings(AI_MODELS=ai_models):
        provider, _created = Provider.objects.get_or_create(slug="openai")
        model, _created = AIModel.objects.get_or_create(provider=provider, model_id="bench-model", capability="chat")
        yield model


def bench_calls() -> dict:
    import httpx
    import openai

    with chat_server() as port, pointed_at(port) as model:
        url = f"http://127.0.0.1:{port}/v1/chat/completions"
        body = {"model": model.model_id, "messages": MESSAGES}
        headers = {"Authorization": f"Bearer {KEY}"}
        raw = httpx.Client()
        hand_made = openai.OpenAI(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
        backend = model.get_backend()
        loop = asyncio.new_event_loop()
        raw_async = loop.run_until_complete(_async_client())

        def raw_call():
            return raw.post(url, json=body, headers=headers).json()["choices"][0]["message"]["content"]

        def raw_async_call():
            async def call():
                reply = await raw_async.post(url, json=body, headers=headers)
                return reply.json()["choices"][0]["message"]["content"]

            return loop.run_until_complete(call())

        contenders = {
            "raw httpx": raw_call,
            "backend.chat": lambda: backend.chat(model.model_id, MESSAGES).text,
            "raw httpx async": raw_async_call,
            "backend.achat": lambda: loop.run_until_complete(backend.achat(model.model_id, MESSAGES)).text,
            "hand-made SDK client": lambda: hand_made.chat.completions.create(**body).choices[0].message.content,
            # As the docs show it: the client asked for on every request.
            "model.openai_client()": lambda: model.openai_client()
            .chat.completions.create(**body)
            .choices[0]
            .message.content,
        }
        for name, call in contenders.items():
            assert "Hello" in call(), name
        log("  calls: per-call cost of each way to call …")
        timings = compare(contenders, repeat=20, min_time=0.05)
        ms = {name: round(statistics.median(values) * 1000, 3) for name, values in timings.items()}

        log(f"  calls: {CONCURRENT} concurrent achat against one …")
        slow = model.get_backend()
        slow.base_url = f"http://127.0.0.1:{port}/slow/v1"
        one, many = _concurrency(loop, slow, model.model_id)
        loop.run_until_complete(raw_async.aclose())
        loop.close()
        raw.close()
        hand_made.close()

    def versus(ours, theirs, target, label):
        return figure(
            f"{label}: {ours} ÷ {theirs}",
            ratio(timings[ours], timings[theirs]),
            target,
            how=f"median of 20 interleaved round-by-round ratios; median ms per call: {ms[ours]} vs {ms[theirs]}",
        )

    return {
        "ms_per_call": ms,
        "concurrent_seconds": {"one": one, str(CONCURRENT): many},
        "figures": [
            versus("backend.chat", "raw httpx", 1.5, "Per call"),
            versus("backend.achat", "raw httpx async", 1.5, "Per call"),
            versus("model.openai_client()", "hand-made SDK client", 1.2, "Per call"),
            versus("model.openai_client()", "raw httpx", None, "Per call"),
            figure(
                f"{CONCURRENT} concurrent achat ÷ one",
                statistics.median(many) / statistics.median(one),
                3.0,
                how=f"a server answering after 0.1 s; median of {CONCURRENT_ROUNDS} rounds each: "
                f"{round(statistics.median(one) * 1000, 1)} ms for one, "
                f"{round(statistics.median(many) * 1000, 1)} ms for {CONCURRENT} in one asyncio.gather",
            ),
        ],
    }


async def _async_client():
    import httpx

    return httpx.AsyncClient()


def _concurrency(loop, backend, model_id) -> tuple[list, list]:
    """Seconds of one ``achat`` and of ``CONCURRENT`` at once, ``CONCURRENT_ROUNDS`` times each."""

    async def timed(count):
        started = time.perf_counter()
        replies = await asyncio.gather(*(backend.achat(model_id, MESSAGES) for _ in range(count)))
        assert all("Hello" in reply.text for reply in replies)
        return time.perf_counter() - started

    loop.run_until_complete(timed(CONCURRENT))  # warm: connections opened
    one, many = [], []
    for _round in range(CONCURRENT_ROUNDS):
        one.append(loop.run_until_complete(timed(1)))
        many.append(loop.run_until_complete(timed(CONCURRENT)))
    return one, many
