"""filter_entries, sort_entries and search: pure functions, on plain lists and on a listing's entries."""

import random
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from ai_models import catalog
from ai_models.catalog import EntryState, EntryStates, filter_entries, sort_entries
from ai_models.catalog.views import Entries, Source
from ai_models.providers.base import CatalogModel


def model(model_id, provider="p", name="", description="", capabilities=("chat",), context=None, price=None,
          output=None, created=None):
    return CatalogModel(
        provider=provider,
        model_id=model_id,
        name=name,
        description=description,
        capabilities=frozenset(capabilities),
        context_window=context,
        input_price=None if price is None else Decimal(price),
        output_price=None if output is None else Decimal(output),
        created=None if created is None else datetime(created, 1, 1, tzinfo=timezone.utc),
    )


MODELS = [
    model("gpt-x", "openai", "GPT X", "Flagship chat model", context=128_000, price="2.5", output="10", created=2024),
    model("gpt-x-mini", "openai", "GPT X mini", "Small and cheap", context=None, price="0.15", output="0.6",
          created=2025),
    model("dall-e", "openai", "DALL·E", "Makes pictures", capabilities=("image",), price=None, created=None),
    model("llama-free", "groq", "Llama Free", "Open weights, CHAT tuned", context=8_000, price="0", output="0",
          created=2023),
    model("whisper", "groq", "whisper", "Speech to text", capabilities=(), context=None, price="0", output="1"),
    model("tts-1", "openai", "Voice", "Straße text to speech", capabilities=("audio",), context=4_000, price="15",
          output=None, created=2023),
]


def as_listing(models):
    """The same models as get_catalog hands them out: the listing's own entries."""
    return Entries(Source(list(models)))


@pytest.fixture(params=["list", "listing"])
def entries(request):
    return list(MODELS) if request.param == "list" else as_listing(MODELS)


def ids(entries):
    return [entry.model_id for entry in entries]


@pytest.mark.parametrize(
    "criteria, expected",
    [
        ({}, ["gpt-x", "gpt-x-mini", "dall-e", "llama-free", "whisper", "tts-1"]),
        ({"provider": "groq"}, ["llama-free", "whisper"]),
        ({"capability": "chat"}, ["gpt-x", "gpt-x-mini", "llama-free"]),
        ({"capability": "image", "provider": "groq"}, []),
        ({"price": "free"}, ["llama-free"]),
        ({"price": "paid"}, ["gpt-x", "gpt-x-mini", "whisper", "tts-1"]),
        ({"search": "gpt"}, ["gpt-x", "gpt-x-mini"]),
        ({"search": "  MINI   gpt "}, ["gpt-x-mini"]),
        ({"search": "chat"}, ["gpt-x", "llama-free"]),  # in the description, any case
        ({"search": "chat cheap"}, []),  # every word must match
        ({"search": "l-e"}, ["dall-e"]),  # inside an id
        ({"search": "dall·e pictures"}, ["dall-e"]),
        ({"search": "STRASSE"}, ["tts-1"]),  # case-folded, not just lower-cased
        ({"search": "text", "capability": "audio"}, ["tts-1"]),
        ({"search": "zzz"}, []),
    ],
)
def test_filter(entries, criteria, expected):
    assert ids(filter_entries(entries, **criteria)) == expected


def test_filter_by_state(entries):
    states = EntryStates(
        {
            "openai:gpt-x": EntryState(frozenset({"chat", "content"}), frozenset({"chat"})),
            "groq:whisper": EntryState(frozenset({"audio"}), frozenset()),
        }
    )
    assert ids(filter_entries(entries, state="active", states=states)) == ["gpt-x"]
    assert ids(filter_entries(entries, state="saved", states=states)) == ["gpt-x", "whisper"]
    assert ids(filter_entries(entries, state="none", states=states)) == ["gpt-x-mini", "dall-e", "llama-free", "tts-1"]
    assert ids(filter_entries(entries, state="saved", provider="groq", states=states)) == ["whisper"]
    assert states["openai:not-saved"] == EntryState()


def test_filter_by_state_for_one_capability(entries):
    """Issue 26: with a capability, "saved" means saved for it; a model saved only for content is
    not "saved" in a listing of chat models (and is "none" there)."""
    states = EntryStates({"openai:gpt-x": EntryState(frozenset({"content"}), frozenset({"content"})),
                          "openai:gpt-x-mini": EntryState(frozenset({"chat"}), frozenset())})
    assert ids(filter_entries(entries, capability="chat", state="saved", states=states)) == ["gpt-x-mini"]
    assert ids(filter_entries(entries, capability="chat", state="active", states=states)) == []
    assert ids(filter_entries(entries, state="active", states=states)) == ["gpt-x"]
    assert "gpt-x" in ids(filter_entries(entries, capability="chat", state="none", states=states))
    assert ids(filter_entries(entries, state="saved", states=states)) == ["gpt-x", "gpt-x-mini"]


@pytest.mark.parametrize(
    "criteria", [{"price": "cheap"}, {"state": "gone", "states": {}}, {"state": "active"}]
)
def test_filter_rejects_what_it_cannot_do(entries, criteria):
    with pytest.raises(ValueError):
        filter_entries(entries, **criteria)


@pytest.mark.parametrize(
    "key, descending, expected",
    [
        ("name", False, ["dall-e", "gpt-x", "gpt-x-mini", "llama-free", "tts-1", "whisper"]),
        ("name", True, ["whisper", "tts-1", "llama-free", "gpt-x-mini", "gpt-x", "dall-e"]),
        ("provider", False, ["llama-free", "whisper", "dall-e", "gpt-x", "gpt-x-mini", "tts-1"]),
        ("context", False, ["tts-1", "llama-free", "gpt-x", "gpt-x-mini", "dall-e", "whisper"]),
        ("context", True, ["gpt-x", "llama-free", "tts-1", "gpt-x-mini", "dall-e", "whisper"]),
        ("input_price", False, ["llama-free", "whisper", "gpt-x-mini", "gpt-x", "tts-1", "dall-e"]),
        ("input_price", True, ["tts-1", "gpt-x", "gpt-x-mini", "llama-free", "whisper", "dall-e"]),
        ("price", True, ["tts-1", "gpt-x", "gpt-x-mini", "llama-free", "whisper", "dall-e"]),
        ("output_price", True, ["gpt-x", "whisper", "gpt-x-mini", "llama-free", "dall-e", "tts-1"]),
        ("created", False, ["llama-free", "tts-1", "gpt-x", "gpt-x-mini", "dall-e", "whisper"]),
        ("created", True, ["gpt-x-mini", "gpt-x", "llama-free", "tts-1", "dall-e", "whisper"]),
        ("model_id", False, ["dall-e", "gpt-x", "gpt-x-mini", "llama-free", "tts-1", "whisper"]),
    ],
)
def test_sort_puts_unknown_values_last_both_ways(entries, key, descending, expected):
    assert ids(sort_entries(entries, key, descending=descending)) == expected


def test_sorts_are_stable_so_they_chain(entries):
    # The admin sorts by the last field first: equal prices keep the order of the previous sort.
    by_id_desc = sort_entries(entries, "model_id", descending=True)
    assert ids(sort_entries(by_id_desc, "input_price")) == ["whisper", "llama-free", "gpt-x-mini", "gpt-x", "tts-1",
                                                            "dall-e"]
    by_name = sort_entries(entries, "name")
    assert ids(sort_entries(by_name, "input_price")) == ["llama-free", "whisper", "gpt-x-mini", "gpt-x", "tts-1",
                                                         "dall-e"]
    # Unknown values keep the previous order too, after the known ones.
    assert ids(sort_entries(by_id_desc, "output_price", descending=True))[-2:] == ["tts-1", "dall-e"]
    assert ids(sort_entries(by_name, "output_price", descending=True))[-2:] == ["dall-e", "tts-1"]


def test_sort_rejects_an_unknown_key(entries):
    with pytest.raises(ValueError):
        sort_entries(entries, "popularity")


def test_filtering_a_sorted_listing_keeps_the_order():
    entries = as_listing(MODELS)
    ordered = sort_entries(entries, "input_price", descending=True)
    assert ids(filter_entries(ordered, provider="openai")) == ["tts-1", "gpt-x", "gpt-x-mini", "dall-e"]
    assert ids(filter_entries(ordered, search="ma")) == ["gpt-x-mini", "llama-free", "dall-e"]


def test_a_listing_remembers_its_views():
    entries = as_listing(MODELS)
    chat = filter_entries(entries, capability="chat")
    assert filter_entries(entries, capability="chat") is chat
    assert sort_entries(chat, "created") is sort_entries(chat, "created")
    assert filter_entries(entries, search="GPT  x") is filter_entries(entries, search="x gpt")
    assert isinstance(chat[0:2], list) and not isinstance(chat[0:2], catalog.Entries)  # a page is a plain list


WORDS = ["alpha", "beta", "gamma", "delta", "Öl", "straße", "x-1", "v2.5", "ünïcode", "chat", "image", "Mini"]


def test_indexed_search_finds_exactly_what_a_scan_finds():
    rng = random.Random(7)

    def text(n):
        return " ".join(rng.choice(WORDS) + rng.choice(["", "s", "-pro", "\n"]) for _ in range(n))

    models = [
        model(f"{rng.choice(WORDS)}-{n}", rng.choice(["a", "b"]), text(3), text(12), capabilities=())
        for n in range(400)
    ]
    entries = as_listing(models)
    narrowed = filter_entries(entries, provider="a")
    for _ in range(200):
        query = " ".join(rng.choice(WORDS + ["a", "ta", "-1", "e-", "ss", "5"])[: rng.randint(1, 6)] for _ in range(
            rng.randint(1, 3)
        ))
        words = catalog.search_words(query)
        expected = [m for m in models if catalog.matches_search(m, words)]
        assert list(filter_entries(entries, search=query)) == expected, query
        assert list(filter_entries(narrowed, search=query)) == [m for m in expected if m.provider == "a"], query
