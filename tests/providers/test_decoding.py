"""Provider JSON decoded safely (``providers/decoding.py``) and the key redacted past invisible
characters (``exceptions.redact``): pure functions, no server."""

import json
import sys
import unicodedata

import pytest

from ai_models.exceptions import FORMAT_CHARACTERS, REDACTED, contains_secret, redact
from ai_models.providers import decoding
from ai_models.providers.body import OBJECT_BUDGET, object_cost

KEY = "sk-decode-0123456789abcdef"


def test_every_format_character_of_this_python_is_known():
    # FORMAT_CHARACTERS is written out (computing it takes a third of a second); a newer Unicode
    # adding one fails here, so the list gets updated.
    format_characters = [chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"]

    assert [char for char in format_characters if not FORMAT_CHARACTERS.fullmatch(char)] == []
    assert not FORMAT_CHARACTERS.search("plain ASCII, فارسی, 中文")


@pytest.mark.parametrize("separator", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e"])
def test_a_key_split_by_an_invisible_character_is_found_and_redacted(separator):
    text = f"bad key {separator.join(KEY)}!"

    assert contains_secret(text, KEY)
    assert redact(text, KEY) == f"bad key {REDACTED}!"


def test_text_without_the_key_keeps_its_invisible_characters():
    persian = "می\u200cخواهم"  # a zero-width non-joiner belongs in Persian words

    assert redact(persian, KEY) == persian


def test_json_nested_past_the_recursion_limit_is_decoded_with_the_deep_part_null():
    deep = "[" * 100_000 + "]" * 100_000
    text = '{"keep": "me", "deep": ' + deep + ', "after": ["[{not brackets}]", 2]}'

    data = decoding.loads(text)

    assert data["keep"] == "me" and data["after"] == ["[{not brackets}]", 2]
    containers, value = 1, data["deep"]  # the root object, then each list inside the next
    while isinstance(value, list):
        containers, value = containers + 1, value[0]
    assert containers == decoding.MAX_DEPTH and value is None


def test_cut_too_deep_keeps_text_within_the_bound_as_it_was():
    text = json.dumps({"a": [[["x", {"b": "]]]"}]]], "c": "{{{"})

    assert decoding.cut_too_deep(text, 5) == text
    assert json.loads(decoding.cut_too_deep(text, 3)) == {"a": [[None]], "c": "{{{"}


def test_every_string_and_object_key_is_redacted_once_decoded():
    escaped = "".join(f"\\u{ord(char):04x}" for char in KEY)
    text = '{"name": "k=' + escaped + '", "' + escaped + '": ["short", "' + KEY[::-1] + '"]}'

    assert decoding.loads(text, KEY) == {"name": f"k={REDACTED}", REDACTED: ["short", REDACTED]}
    assert decoding.loads(text) == json.loads(text)  # no key: nothing to redact


def test_unescaped_decodes_what_a_json_decoder_would_and_survives_lone_surrogates():
    assert decoding.unescaped("\\u0073\\u006b-\\ud83d\\ude00 \\ud800") == "sk-\U0001f600 \ufffd"


@pytest.mark.parametrize(
    "unit, actual_bytes",
    # What CPython allocates per element once decoded (the element and its slot in the list).
    [(b"{},", 72), (b"[],", 64), (b"1,", 8), (b"1.5,", 32), (b'"ab",', 59), (b'{"a":1},', 192), (b"10000000,", 40)],
)
def test_the_object_estimate_is_never_below_what_decoding_allocates(unit, actual_bytes):
    assert object_cost(unit) >= actual_bytes


def test_a_real_catalog_is_far_within_the_object_budget():
    from .test_openrouter import REALDATA

    capture = REALDATA / "openrouter_models.json"
    if not capture.exists():
        pytest.skip("the real OpenRouter capture is not on this machine")
    body = capture.read_bytes()

    assert object_cost(body) < OBJECT_BUDGET * len(body)  # at any size up to the cap, it passes
