"""One call to a provider measured in a process of its own: its outcome, peak memory and time.

A test hands ``measure()`` the ``AI_MODELS`` settings (pointing at a server the test runs) and
what to call; a fresh Python process sets Django up, imports everything, then runs the call under
``tracemalloc`` and prints what happened. The peak counts only what the call allocated, in a
process where nothing else ran, so a bound on it holds whatever tests ran before.

    python -m tests.reliability.measured   # reads {"settings": …, "call": …, …} as JSON on stdin
"""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [{"role": "user", "content": "Hi"}]
MODEL = "gpt-4.1-mini"


def measure(settings: dict, call: str, provider: str = "openai", timeout: float = 120, **options) -> dict:
    """``{"error": class name or None, "message", "peak" (bytes), "seconds"}`` of ``call`` (see ``CALLS``)."""
    job = {"settings": settings, "call": call, "provider": provider, "options": options}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "AI_MODELS_TEST_DB": "sqlite",
           "AI_MODELS_TEST_CACHE": "locmem"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.reliability.measured"], input=json.dumps(job), capture_output=True,
        text=True, cwd=ROOT, env=env, timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sdk(backend, asynchronous=False):
    from ai_models.clients import openai_client

    return openai_client(backend, asynchronous=asynchronous)


def sdk_chat(backend, options):
    reply = _sdk(backend).chat.completions.create(model=MODEL, messages=MESSAGES)
    return reply.choices[0].message.content


def sdk_stream(backend, options):
    return "".join(part.choices[0].delta.content or "" for part in _sdk(backend).chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True) if part.choices)


def sdk_achat(backend, options):
    async def call():
        reply = await _sdk(backend, asynchronous=True).chat.completions.create(model=MODEL, messages=MESSAGES)
        return reply.choices[0].message.content

    return asyncio.run(call())


def chat(backend, options):
    return backend.chat(MODEL, MESSAGES).text


def achat(backend, options):
    return asyncio.run(backend.achat(MODEL, MESSAGES)).text


def chats(backend, options):
    """``options["count"]`` chats at once, from as many threads; the first error if any failed."""
    outcomes = []
    threads = [threading.Thread(target=lambda: outcomes.append(_outcome(chat, backend, options)))
               for _ in range(options["count"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome
    return outcomes[0]


def embed(backend, options):
    backend.dimensions = options.get("dimensions")
    return len(backend.embed(MODEL, ["Hi"]).vectors[0])


def catalog(backend, options):
    return len(backend.fetch_catalog())


CALLS = {function.__name__: function for function in (sdk_chat, sdk_stream, sdk_achat, chat, achat, chats, embed, catalog)}


def _outcome(function, backend, options):
    try:
        return function(backend, options)
    except Exception as err:  # noqa: BLE001 (reported to the test)
        return _refusal(err) or err


def _refusal(error):
    """The ``ProviderError`` an older openai SDK wrapped in ``APIConnectionError``, if any."""
    from ai_models.exceptions import ProviderError

    while error is not None and not isinstance(error, ProviderError):
        error = error.__cause__
    return error


def main():
    import django

    job = json.loads(sys.stdin.read())
    django.setup()
    from django.test import override_settings

    import ai_models.clients  # noqa: F401 (imported before the measure: only the call counts)

    try:
        import openai  # noqa: F401
    except ImportError:
        pass
    from ai_models.providers import build_provider

    with override_settings(AI_MODELS=job["settings"]):
        backend = build_provider(job["provider"])
        tracemalloc.start()
        started = time.monotonic()
        outcome = _outcome(CALLS[job["call"]], backend, job["options"])
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    failed = isinstance(outcome, Exception)
    print(json.dumps({
        "error": type(outcome).__name__ if failed else None,
        "message": str(outcome),
        "peak": peak,
        "seconds": seconds,
    }))


if __name__ == "__main__":
    main()
