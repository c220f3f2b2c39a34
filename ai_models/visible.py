"""Provider text as staff see it: characters that hide or reorder text shown as what they are.

Model ids, names, descriptions and error excerpts come from providers. A right-to-left override
(U+202E) can make a name read as another model's and reorders the sentence around it until the
paragraph ends; a zero-width joiner makes two different ids look the same. Every front end (the
admin, the HTTP API's human-facing text, the command line) passes provider text through
``visible()``, which shows each such character as its code point, ``[U+202E]``: nothing is left
that could reorder or disguise the text around it. The data itself (an id sent back to the
provider, the API's ``model_id`` and ``raw``) keeps the characters as given.
"""

import unicodedata
from functools import lru_cache

# Controls, format characters (bidi overrides, embeddings, isolates and marks, zero-width spaces
# and joiners, soft hyphens, tags...), line and paragraph separators, lone surrogates.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# Characters outside those that render as nothing (Unicode's default-ignorable letters and marks):
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation selectors.
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0")
WHITESPACE = frozenset("\t\n\r")  # shown as the space they are; they reorder nothing
JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ: part of the spelling in Persian, Arabic, Indic


def visible(text) -> str:
    """``text`` with every character that hides or reorders text shown as ``[U+XXXX]``.

    A joiner between two letters (or marks) of scripts other than ASCII is kept: Persian and
    Indic words are spelled with them. ``None`` is ``""``."""
    text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():  # nearly every id and name: nothing to look at
        return text
    return _visible(text)


@lru_cache(maxsize=1024)
def _visible(text: str) -> str:
    return "".join(
        f"[U+{ord(char):04X}]" if _hidden(char) and not _spelling(text, index) else char
        for index, char in enumerate(text)
    )


def _hidden(char: str) -> bool:
    if char in WHITESPACE:
        return False
    return char in INVISIBLE or unicodedata.category(char) in HIDDEN_CATEGORIES


def _spelling(text: str, index: int) -> bool:
    """Whether the joiner at ``index`` joins two non-ASCII letters or marks (a Persian word, say)."""
    if text[index] not in JOINERS or index == 0 or index == len(text) - 1:
        return False
    return all(not near.isascii() and unicodedata.category(near)[0] in "LM" for near in (text[index - 1], text[index + 1]))
