"""A resolver that takes its time costs a call no more than its deadline, and the process no more
than a few threads (issue 24, item 6).

A sync call took 20.1 s while its error said "within 5 s" (name resolution ran outside the
deadline); an async call ended in time but left a resolver thread behind, one per call. Here a
name of the test's own resolves only once the test lets it (``socket.getaddrinfo`` stands in for
a slow DNS server); the backend points at the local fault server through that name.
"""

import asyncio
import socket
import threading
import time

import pytest

from ai_models.exceptions import ProviderUnavailable
from ai_models.providers import build_provider
from ai_models.providers.resolver import THREADS

from .conftest import API_KEY, local_settings

NAME = "slow.example"
MESSAGES = [{"role": "user", "content": "Hi"}]
SECONDS = 5  # a hang guard: the resolver holds every lookup for a minute
ANSWER = {"choices": [{"message": {"role": "assistant", "content": "Resolved at last."}}]}


@pytest.fixture
def slow_dns(monkeypatch):
    """``NAME`` resolves to 127.0.0.1 once ``slow_dns.set()`` is called (or the test ends); the
    lookups asked for are counted in ``slow_dns.asked``."""
    released = threading.Event()
    released.asked = 0
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        released.asked += 1
        released.wait(60)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield released
    released.set()


@pytest.fixture
def behind_slow_dns(settings, server, sleeps):
    """OpenAI at the fault server, reached through ``NAME``: 0.5 s to connect, 0.5 s to answer."""
    ai = local_settings(server, openai={"API_KEY": API_KEY, "GENERATION_TIMEOUT": 0.5})
    ai["PROVIDERS"]["openai"]["BASE_URL"] = f"http://{NAME}:{server.port}/openai/v1"
    ai["ALLOWED_HTTP_HOSTS"] = [f"{NAME}:{server.port}"]
    settings.AI_MODELS = ai
    server.payloads["/openai/v1/chat/completions"] = ANSWER
    return build_provider("openai")


def resolver_threads() -> int:
    return sum(thread.name == "ai_models-resolver" for thread in threading.enumerate())


def test_a_sync_call_gives_up_on_a_slow_resolver_within_its_deadline(behind_slow_dns, slow_dns):
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable, match="timed out: the provider is unreachable"):
        behind_slow_dns.chat("gpt-4.1-mini", MESSAGES)

    assert time.monotonic() - started < SECONDS


def test_async_calls_waiting_on_a_slow_resolver_leave_no_thread_behind(behind_slow_dns, slow_dns):
    threads_before = threading.active_count()

    async def twenty():
        calls = [behind_slow_dns.achat("gpt-4.1-mini", MESSAGES) for _ in range(20)]
        return await asyncio.gather(*calls, return_exceptions=True)

    started = time.monotonic()
    outcomes = asyncio.run(twenty())

    assert time.monotonic() - started < SECONDS
    assert all(isinstance(outcome, ProviderUnavailable) for outcome in outcomes)
    assert slow_dns.asked == 1  # twenty calls, one lookup: they waited for the same one
    assert resolver_threads() <= THREADS
    assert threading.active_count() <= threads_before + THREADS  # not one thread per call


def test_once_the_name_resolves_the_kept_threads_serve_the_next_calls(behind_slow_dns, slow_dns):
    with pytest.raises(ProviderUnavailable):
        behind_slow_dns.chat("gpt-4.1-mini", MESSAGES)
    slow_dns.set()

    assert behind_slow_dns.chat("gpt-4.1-mini", MESSAGES).text == "Resolved at last."
    assert asyncio.run(behind_slow_dns.achat("gpt-4.1-mini", MESSAGES)).text == "Resolved at last."
