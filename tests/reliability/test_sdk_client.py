"""The openai SDK clients we configure (``openai_client()``, ``model.openai_client()``), against the
local fault server: kept and reused, and guarded as our own calls are (issue 23).

- the same client is handed out again (per event loop for the async one), a closed one replaced;
- a redirect to another origin is refused before anything reaches it, one within the host followed;
- a name resolving to an internal address is refused when connecting;
- a compression bomb is refused under 200 MB peak (measured under tracemalloc in a process of its own:
  1.8–4.4 s there on a loaded 2-core machine, so its time guard is a hang guard, not the figure);
- a stream that drips ends at the deadline, one that goes silent after the read timeout.

openai 3.x (httpx2) passes a refusal on as the ``ProviderError`` it is and a deadline as
``APITimeoutError``; earlier SDKs (httpx) retry the refusal and raise ``APIConnectionError`` caused
by it, and let a stream's ``httpx.ReadTimeout`` through: the tests hold for both.
"""

import asyncio
import time

import httpx
import pytest

from ai_models.clients import openai_client, sdk_library
from ai_models.exceptions import ProviderError, ProviderResponseError
from ai_models.providers import build_provider

from .conftest import API_KEY, MEASURED_ONCE, local_settings
from .measured import measure
from .server import MOVED
from .test_internal_addresses import configured, listener, resolver  # noqa: F401 (fixtures)

openai = pytest.importorskip("openai")

CHAT_PATH = "/openai/v1/chat/completions"
COMPLETION = {
    "id": "chatcmpl-local", "object": "chat.completion", "created": 1741569952, "model": "gpt-4.1-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello SDK."}, "finish_reason": "stop"}],
}
MESSAGES = [{"role": "user", "content": "Hi"}]
PEAK_BYTES = 200 * 1024 * 1024
SECONDS = 5  # a hang guard: the deadlines below are 1.5 s or less
TRACED_SECONDS = 30  # the same guard for a call under tracemalloc, which slows allocation several times
PASSES_REFUSALS_ON = sdk_library(openai) == "httpx2"  # openai 3.x: not retried, not wrapped


def refusal(error):
    """The ``ProviderError`` behind ``error``: itself, or what an older SDK wrapped it in."""
    while error is not None and not isinstance(error, ProviderError):
        error = error.__cause__
    return error


def timed_out(error) -> bool:
    return isinstance(error, (openai.APITimeoutError, httpx.TimeoutException))


def sdk_settings(server, **extra):
    """OpenAI at the local server: 0.5 s to connect, 1 s for an answer, 0.5 s between stream chunks."""
    return local_settings(server, openai={"API_KEY": API_KEY, "GENERATION_TIMEOUT": 1.0}, **extra)


@pytest.fixture
def sdk(settings, server):
    settings.AI_MODELS = sdk_settings(server)
    server.payloads[CHAT_PATH] = COMPLETION
    return build_provider("openai")


def ask(backend, asynchronous=False):
    """The text of one chat completion through the configured SDK client."""
    if not asynchronous:
        return openai_client(backend).chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES).choices[0]

    async def call():
        client = openai_client(backend, asynchronous=True)
        return (await client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)).choices[0]

    return asyncio.run(call())


def stream(backend, asynchronous=False):
    """``(words received, the error that ended the stream, seconds)`` of a streamed completion."""
    words, started = [], time.monotonic()

    async def astream():
        client = openai_client(backend, asynchronous=True)
        async for part in await client.chat.completions.create(model="m", messages=MESSAGES, stream=True):
            words.append(part.choices[0].delta.content)

    try:
        if asynchronous:
            asyncio.run(astream())
        else:
            for part in openai_client(backend).chat.completions.create(model="m", messages=MESSAGES, stream=True):
                words.append(part.choices[0].delta.content)
    except Exception as err:  # noqa: BLE001 (checked by the caller)
        return words, err, time.monotonic() - started
    return words, None, time.monotonic() - started


def test_the_client_is_kept_and_a_closed_one_replaced(sdk, server):
    client = openai_client(sdk)

    assert openai_client(build_provider("openai")) is client  # another backend of the same provider
    assert ask(sdk).message.content == ask(sdk).message.content == "Hello SDK."
    assert len(server._connections) == 1  # both calls over one kept connection
    client.close()
    assert openai_client(sdk) is not client and not openai_client(sdk).is_closed()


def test_the_async_client_is_kept_per_event_loop(sdk):
    async def twice():
        return openai_client(sdk, asynchronous=True), openai_client(sdk, asynchronous=True)

    first, again = asyncio.run(twice())
    other_loop, _again = asyncio.run(twice())

    assert first is again and other_loop is not first


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_307_to_another_port_is_refused_and_the_prompt_goes_nowhere_else(sdk, server, asynchronous):
    server.fault = "307 to another port"

    with pytest.raises(Exception) as caught:
        ask(sdk, asynchronous)

    assert isinstance(refusal(caught.value), ProviderResponseError)
    assert str(refusal(caught.value)) == (
        f"openai: refused a request to another host (127.0.0.1): this client sends only to {server.url('')}"
    )
    assert server.trap.requests == []
    if PASSES_REFUSALS_ON:
        assert len(server.requests) == 1  # refused, not retried


def test_a_307_within_the_host_is_followed(sdk, server):
    server.fault = "307 within the host"

    assert ask(sdk).message.content == "Hello SDK."
    assert [path for path, _headers, _fault in server.requests] == [CHAT_PATH, MOVED + CHAT_PATH]


def test_a_name_resolving_to_loopback_is_refused_when_connecting(db, configured, listener, resolver):  # noqa: F811
    configured(BASE_URL=f"https://rebind.example:{listener.port}/v1")
    resolver["rebind.example"] = ["127.0.0.1"]  # public-looking when checked, loopback when resolved

    for asynchronous in (False, True):
        with pytest.raises(Exception) as caught:
            ask(build_provider("openai"), asynchronous)
        assert "rebind.example resolves to 127.0.0.1, a loopback" in str(refusal(caught.value))

    assert listener.connections == 0


@MEASURED_ONCE
@pytest.mark.parametrize("call", ["sdk_chat", "sdk_achat"])
@pytest.mark.parametrize(
    "fault, says",
    [
        ("gzip bomb, one layer", "the response is larger than 20971520 bytes"),
        ("gzip bomb, two layers", "content coding gzip, gzip: only one layer of gzip or deflate is read"),
        ("brotli", "content coding br: only one layer of gzip or deflate is read"),
    ],
)
def test_a_compression_bomb_is_refused_under_200_mb_within_5_s(server, fault, says, call):
    # The default cap, 20 MiB: the one-layer bomb (64 MiB of zeros) is cut there.
    settings = sdk_settings(server, MAX_RESPONSE_BYTES=20 * 1024 * 1024)
    server.fault = fault

    result = measure(settings, call)

    assert result["error"] == "ProviderResponseError" and says in result["message"]
    assert result["peak"] < PEAK_BYTES, f"{result['peak'] / 2**20:.0f} MiB"
    assert result["seconds"] < TRACED_SECONDS


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_dripping_stream_ends_at_the_deadline(sdk, server, asynchronous):
    server.fault = "event stream dripping"  # one event, then a byte every 0.1 s, forever

    words, error, seconds = stream(sdk, asynchronous)

    assert words == ["Hi"]
    assert timed_out(error)
    assert seconds < SECONDS  # the deadline: 0.5 s to connect + 1 s for the answer


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_stream_gone_silent_ends_after_the_read_timeout(settings, server, asynchronous):
    ai = local_settings(server, openai={"API_KEY": API_KEY, "GENERATION_TIMEOUT": 60.0})
    settings.AI_MODELS = ai  # the whole answer may take a minute, but no 0.5 s (READ_TIMEOUT) without a chunk
    server.fault = "event stream going silent"

    words, error, seconds = stream(build_provider("openai"), asynchronous)

    assert words == ["Hi"]
    assert timed_out(error)
    assert seconds < SECONDS
