"""A provider's JSON, decoded into something safe to hold: bounded in depth, every string redacted.

``json.loads`` recurses: an answer nested a thousand levels deep (a 2 KB body) raises
``RecursionError``, and one nested 900 levels decodes and then breaks whatever walks it later
(copying, storing as JSON). Here containers nested deeper than ``MAX_DEPTH`` become ``null``,
whether the decoder could not build them (the text is cut first, then decoded) or could; the
catalog then skips such an entry alone (``parsing.check_raw``).

A key echoed by a provider can hide from a search of the raw text behind JSON escapes
(``\\u0073k-…``) or zero-width and other format characters; so every decoded string, object keys
included, is redacted (``exceptions.redact``, which looks past format characters) before anything
else reads it: names, descriptions and raw data reach pages, the cache, the API and the history
only through here.
"""

import json
import re

from ..exceptions import redact

MAX_DEPTH = 64
# A string literal, or a run of opening or of closing brackets (a run is one match: nested
# brackets, the only costly part of a hostile document, are counted a run at a time).
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]+|[\]}]+')
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def loads(text: str, secret: str = ""):
    """``text`` decoded as JSON (``ValueError`` when it is not), then ``bounded``."""
    try:
        data = json.loads(text)
    except RecursionError:
        data = json.loads(cut_too_deep(text))
    return bounded(data, secret)


def cut_too_deep(text: str, max_depth: int = MAX_DEPTH) -> str:
    """``text`` with every array or object opened deeper than ``max_depth`` replaced by ``null``."""
    kept, depth, resume, cutting = [], 0, 0, False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token[0] in "[{":
            if not cutting and depth + len(token) > max_depth:
                start = match.start() + max_depth - depth  # the first bracket past the bound
                kept += [text[resume:start], "null"]
                cutting = True
            depth += len(token)
        else:
            if cutting and depth - len(token) <= max_depth:
                resume = match.start() + depth - max_depth  # just after the cut container closes
                cutting = False
            depth -= len(token)
    if not cutting:
        kept.append(text[resume:])
    return "".join(kept)


def bounded(data, secret: str = ""):
    """``data`` with containers deeper than ``MAX_DEPTH`` replaced by ``None`` and, when ``secret``
    is set, ``secret`` redacted from every string and object key. Iterative: any depth is safe."""
    shortest = len(secret) if secret and len(secret) >= 4 else None  # no form of the key is shorter

    def clean(text: str) -> str:
        return redact(text, secret) if shortest is not None and len(text) >= shortest else text

    if isinstance(data, str):
        return clean(data)
    holder = [data]
    pending = [(holder, 0, 0)]  # (container, index or key, depth of the container held there)
    while pending:
        parent, slot, depth = pending.pop()
        value = parent[slot]
        if depth >= MAX_DEPTH:
            parent[slot] = None
            continue
        if type(value) is dict:
            if shortest is not None and any(len(key) >= shortest for key in value):
                value = parent[slot] = {clean(key): item for key, item in value.items()}
            items = value.items()
        else:
            items = enumerate(value)
        # ``type() is``, not isinstance: JSON builds exactly these types, and a list of a million
        # numbers is walked four times faster.
        for key, item in items:
            kind = type(item)
            if kind is list or kind is dict:
                pending.append((value, key, depth + 1))
            elif kind is str and shortest is not None and len(item) >= shortest:
                value[key] = redact(item, secret)
    return holder[0]


def unescaped(text: str) -> str:
    """``text`` (a piece of JSON, say) with its ``\\uXXXX`` escapes turned into the characters they
    stand for (a lone surrogate into U+FFFD), so a search for the key sees what a decoder would."""
    text = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
