"""Completing a provider's catalog entries from the datasets. Pure: datasets in, entries out.

What the provider said always wins. A field it left empty takes the first dataset's value (in
merge order) and records its source; a price or context window it did give is compared with
the first dataset's, and a gap larger than the threshold is kept as a conflict. Unknown stays
unknown: a field no source knows stays ``None``, never 0. Where the provider said nothing of a
model's kind (its kinds come from the id alone), LiteLLM's ``mode`` decides it.
"""

from dataclasses import replace
from decimal import Decimal

from .. import classification as rules
from ..capabilities import CHAT, EMBEDDING, IMAGE, MODERATION, RERANK, SPEECH, TRANSCRIPTION, VIDEO, gettext_noop
from ..providers.base import ParsedCatalog
from .ids import NAMESPACES, candidates, variant
from .sources import MODES

PRICES = ("input_price", "output_price")
# Kinds priced per second, character, image or clip: a token price of 0 in a dataset says
# nothing about their cost, so it is not taken as "free".
NOT_PER_TOKEN = frozenset({SPEECH, TRANSCRIPTION, IMAGE, VIDEO})
COMPARED = (*PRICES, "context_window")
FIELDS = (
    *COMPARED,
    "max_output",
    "input_modalities",
    "output_modalities",
    "parameters",
    "knowledge_cutoff",
    "expires",
    "successor",
)
"""The fields the datasets complete, in display order."""

# The reason a kind given by a dataset's ``mode`` shows (fixed strings, translated when shown).
BY_MODE = {
    CHAT: gettext_noop("model facts (LiteLLM) list it as a chat model"),
    EMBEDDING: gettext_noop("model facts (LiteLLM) list it as an embedding model"),
    MODERATION: gettext_noop("model facts (LiteLLM) list it as a moderation model"),
    IMAGE: gettext_noop("model facts (LiteLLM) list it as an image generation model"),
    SPEECH: gettext_noop("model facts (LiteLLM) list it as a text-to-speech model"),
    TRANSCRIPTION: gettext_noop("model facts (LiteLLM) list it as a speech-to-text model"),
    VIDEO: gettext_noop("model facts (LiteLLM) list it as a video generation model"),
    RERANK: gettext_noop("model facts (LiteLLM) list it as a rerank model"),
}


def matches(datasets, provider_id: str, model_id: str, aliases=()) -> list:
    """``[(dataset, record, exact)]``: the entry each dataset holds for the model, in merge order.

    ``exact`` is False when only the id without an OpenRouter variant matched: a ``:free`` or
    ``:extended`` variant is priced apart, so its prices are not taken from the base model.
    """
    found = []
    tried = candidates(provider_id, model_id, aliases)
    stripped = variant(model_id)
    for dataset in datasets:
        namespace = NAMESPACES.get(provider_id, {}).get(dataset.name)
        if namespace is None:
            continue
        for position, candidate in enumerate(tried):
            record = dataset.records.get((namespace, candidate))
            if record is not None:
                found.append((dataset, record, not (stripped and position > 0)))
                break
    return found


def is_empty(value) -> bool:
    """Whether a field's value says nothing (never true of a price of 0)."""
    return value is None or value == "" or value == ()


def _apart(given, known, threshold: Decimal) -> bool:
    """Whether two numbers differ by more than ``threshold`` of the larger."""
    given, known = Decimal(given), Decimal(known)
    largest = max(abs(given), abs(known))
    return largest > 0 and abs(given - known) / largest > threshold


def complete_model(model, found, threshold: Decimal, shared=None):
    """``model`` completed from ``found`` (``matches``): filled fields with their source, conflicts,
    and the kinds the dataset gives where the provider was silent. ``shared`` interns equal tuples."""
    intern = (lambda value: shared.setdefault(value, value)) if shared is not None else (lambda value: value)
    changes, sources, conflicts = {}, [], []
    per_token = CHAT in model.kinds or not model.kinds & NOT_PER_TOKEN
    for field in FIELDS:
        given = getattr(model, field)
        for dataset, record, exact in found:
            value = getattr(record, field)
            if is_empty(value) or (field in PRICES and (not exact or (value == 0 and not per_token))):
                continue
            if is_empty(given):
                changes[field] = intern(value) if isinstance(value, tuple) else value
                sources.append((field, dataset.label))
            elif field in COMPARED and _apart(given, value, threshold):
                conflicts.append((field, dataset.label, str(value)))
            break
    kinds = _kinds_by_mode(model, found)
    if kinds is not None:
        changes["kinds"], changes["reasons"] = intern(frozenset(kinds)), kinds
    if not changes and not conflicts:
        return model
    return replace(model, **changes, facts=intern(tuple(sources)), conflicts=intern(tuple(conflicts)))


def _kinds_by_mode(model, found) -> dict | None:
    """Kind -> reason from the first dataset ``mode``, when the kinds came from the id alone and
    the id names no special-purpose model; ``None`` to keep the provider's."""
    if not model.reasons or not set(model.reasons.values()) <= rules.ID_REASONS:
        return None
    if rules.special_purpose(model.model_id):
        return None
    for _dataset, record, _exact in found:
        if record.mode in MODES:
            kind = MODES[record.mode]
            if kind in model.kinds:
                return None
            return {kind: BY_MODE[kind]} if kind else {}
    return None


def complete(models, provider_id: str, datasets, threshold: Decimal) -> list:
    """Every entry of ``models`` (one provider's parsed list) completed from ``datasets``."""
    if not any(NAMESPACES.get(provider_id, {}).get(dataset.name) is not None for dataset in datasets):
        return models
    shared = {}
    completed = [
        complete_model(model, matches(datasets, provider_id, model.model_id, _aliases(model)), threshold, shared)
        for model in models
    ]
    return ParsedCatalog(completed, getattr(models, "skipped", 0))


def _aliases(model) -> tuple:
    aliases = model.raw.get("aliases") if isinstance(model.raw, dict) else None
    return tuple(aliases) if isinstance(aliases, list) else ()
