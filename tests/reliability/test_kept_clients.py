"""Calls reuse one client per provider and process (per event loop for async) and its connections,
with every guard still on each request (issue 23).

A call built a new client and two SSL contexts each time (56 ms sync, 148 ms async against a
server answering in 0.9 ms; ``bench/bench_calls.py`` measures it now). The guards on each request
through a kept client are the subject of the other reliability tests (redirects, addresses,
deadlines, bombs); here, what keeping changes.
"""

import asyncio
import os
import signal
import time

import pytest

from ai_models.providers import build_provider, kept
from ai_models.providers.session import provider_client
from ai_models.providers.transport import guarded_transport

from .conftest import API_KEY, local_settings

CHAT = "/openai/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "Hi"}]


def answer(text):
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


@pytest.fixture
def calling(settings, server, sleeps):
    settings.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY, "GENERATION_TIMEOUT": 0.5})
    server.payloads[CHAT] = answer("Hello again.")
    return server


def test_calls_share_one_client_and_one_connection(calling):
    first, second = build_provider("openai"), build_provider("openai")  # as get_backend() builds them

    replies = [first.chat("m", MESSAGES), second.chat("m", MESSAGES), first.chat("m", MESSAGES)]

    assert {reply.text for reply in replies} == {"Hello again."}
    assert len(calling.requests) == 3 and len(calling._connections) == 1
    assert provider_client("openai", first.base_url) is provider_client("openai", second.base_url)


def test_async_calls_share_one_client_per_event_loop(calling):
    backend = build_provider("openai")

    async def two_calls():
        await backend.achat("m", MESSAGES)
        await backend.achat("m", MESSAGES)
        return provider_client("openai", backend.base_url, asynchronous=True)

    in_one_loop = asyncio.run(two_calls())
    in_another = asyncio.run(two_calls())

    assert in_one_loop is not in_another  # connections belong to the loop that opened them
    assert len(calling.requests) == 4 and len(calling._connections) == 2


def test_a_provider_elsewhere_gets_a_client_of_its_own(calling, server):
    ours = provider_client("openai", server.url("/openai/v1"))

    assert provider_client("openai", server.url("/openai/v2")) is ours  # same origin
    assert provider_client("openai", server.trap.url("/openai/v1")) is not ours
    assert provider_client("groq", server.url("/openai/v1")) is not ours


def test_no_cookie_a_provider_sets_follows_the_next_call(calling):
    calling.fault = "cookie"

    build_provider("openai").chat("m", MESSAGES)
    build_provider("openai").chat("m", MESSAGES)

    assert [headers.get("Cookie") for _path, headers, _fault in calling.requests] == [None, None]


def test_one_ssl_context_for_every_https_client_and_none_for_http():
    https = [guarded_transport(f"https://api{n}.example.com/v1", "openai") for n in range(3)]
    http = guarded_transport("http://127.0.0.1:8000/v1", "ollama")

    assert len({id(transport._pool._ssl_context) for transport in https}) == 1
    assert http._pool._ssl_context is None


def test_close_clients_closes_them_and_the_next_call_opens_a_new_one(calling):
    backend = build_provider("openai")
    backend.chat("m", MESSAGES)
    client = provider_client("openai", backend.base_url)

    kept.close_clients()

    assert client.is_closed
    assert backend.chat("m", MESSAGES).text == "Hello again."
    assert provider_client("openai", backend.base_url) is not client


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # the test server's
def test_a_forked_process_starts_with_no_client_of_its_parent(calling):
    backend = build_provider("openai")
    backend.chat("m", MESSAGES)
    parent_client = provider_client("openai", backend.base_url)

    child = os.fork()
    if child == 0:  # the child: its own client, its own connection
        ok = provider_client("openai", backend.base_url) is not parent_client and backend.chat("m", MESSAGES)
        os._exit(0 if ok else 1)
    waited_until = time.monotonic() + 20  # a child stuck on a lock taken before the fork is killed
    while not (ended := os.waitpid(child, os.WNOHANG))[0]:
        if time.monotonic() > waited_until:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            pytest.fail("the forked process hung")
        time.sleep(0.05)

    assert os.waitstatus_to_exitcode(ended[1]) == 0
    assert len(calling._connections) == 2
