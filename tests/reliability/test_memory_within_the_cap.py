"""An answer within the size cap never costs more than ten times the cap in memory (issue 24, item 5).

20 MB of ``[{},{},…]`` took 660 MB once decoded for the catalog and 624 MB for one chat call; a
listing of 1.2 M ids 419 MB; a 10⁷-float embedding was accepted. The transport now counts, as the
bytes arrive, what decoding them could build, and refuses an answer past that budget before a
single object exists; an embedding is checked against the saved model's dimensions first.

Each call runs in a process of its own (``measured``) with a 4 MiB cap, against bodies just under
it; the bound asserted is the issue's, ten times the cap, on tracemalloc's peak for the call.
"""

import pytest

from .conftest import API_KEY, MEASURED_ONCE, local_settings
from .measured import measure

CAP = 4 * 1024 * 1024
BOUND = 10 * CAP
SECONDS = 30  # a hang guard (tracemalloc slows allocation several times)
CHAT = "/openai/v1/chat/completions"
EMBEDDINGS = "/openai/v1/embeddings"
ROUTER_LIST = "/openrouter/api/v1/models"
TOO_MANY = "the answer holds more values than 20 MB of memory can decode"

pytestmark = MEASURED_ONCE


def filled(unit: bytes, head: bytes = b"[", tail: bytes = b"]", last: bytes = b"0") -> bytes:
    """``head``, ``unit`` repeated up to just under the cap, ``last``, ``tail``."""
    count = (CAP - len(head) - len(tail) - len(last) - 16) // len(unit)
    return head + unit * count + last + tail


@pytest.fixture
def capped(server):
    settings = local_settings(
        server, openai={"API_KEY": API_KEY, "GENERATION_TIMEOUT": 30}, openrouter={"API_KEY": API_KEY},
        MAX_RESPONSE_BYTES=CAP, READ_TIMEOUT=30,
    )
    return settings


def check(result, says):
    assert result["error"] == "ProviderResponseError" and says in result["message"], result["message"]
    assert result["peak"] < BOUND, f"{result['peak'] / 2**20:.0f} MiB"
    assert result["seconds"] < SECONDS


SHAPES = {
    "empty objects": (filled(b"{},"), TOO_MANY),
    "empty lists": (filled(b"[],"), TOO_MANY),
    "small numbers": (filled(b"1,"), TOO_MANY),
    "short strings": (filled(b'"ab",'), TOO_MANY),
    # Just under the budget: decoded, then refused for its shape.
    "eight-digit numbers": (filled(b"10000000,"), "unexpected answer, expected"),
}


@pytest.mark.parametrize("call", ["chat", "achat", "sdk_chat"])
@pytest.mark.parametrize("shape", SHAPES)
def test_a_call_answered_with_millions_of_values_stays_within_ten_times_the_cap(capped, server, call, shape):
    body, says = SHAPES[shape]
    server.payloads[CHAT] = body

    result = measure(capped, call)

    if call == "sdk_chat" and says != TOO_MANY:  # the SDK reads what passed the budget its own way
        assert result["peak"] < BOUND and result["error"] is not None
    else:
        check(result, says)


def test_four_calls_at_once_stay_within_ten_times_the_cap_each(capped, server):
    server.payloads[CHAT] = SHAPES["empty objects"][0]

    result = measure(capped, "chats", count=4)

    check(result, TOO_MANY)
    assert result["peak"] < BOUND  # not 4x: each is refused before it builds anything


@pytest.mark.parametrize(
    "body",
    [
        filled(b'{"id":"m/123456"},', head=b'{"data":[', tail=b"]}", last=b'{"id":"x"}'),
        filled(b"{},", head=b'{"data":[', tail=b"]}", last=b"{}"),
    ],
    ids=["1.2 M ids scaled to the cap", "empty entries"],
)
def test_a_listing_of_too_many_entries_is_refused_before_it_is_built(capped, server, body):
    server.payloads[ROUTER_LIST] = body

    result = measure(capped, "catalog", provider="openrouter")

    check(result, TOO_MANY)


def test_an_embedding_of_millions_of_floats_is_refused_before_it_is_built(capped, server):
    server.payloads[EMBEDDINGS] = filled(b"0,", head=b'{"data": [{"index": 0, "embedding": [', tail=b"]}]}")

    check(measure(capped, "embed"), TOO_MANY)


def test_an_embedding_longer_than_the_saved_dimensions_is_refused(capped, server):
    server.payloads[EMBEDDINGS] = {"data": [{"index": 0, "embedding": [0.25] * 3072}]}

    result = measure(capped, "embed", dimensions=1536)

    check(result, "unexpected answer, expected embeddings of 1536 values, as saved for this model")
    assert measure(capped, "embed", dimensions=3072)["message"] == "3072"  # the right length is read
