"""The provider contract: a normalized catalog model, and the base class of every backend.

A backend has two halves kept apart:

- ``parse_catalog(payload)``: a pure classmethod from a raw list-models payload to a list of
  ``CatalogModel``. No I/O, no settings: callable on a payload loaded from a file.
- ``fetch_payload()``: the HTTP calls that produce that payload.

Backends that can also *call* a model implement ``chat``, ``embed``, ``generate_image`` and
``synthesize_speech`` (each returning a ``Generation``), and ``transcribe``, ``moderate`` and
``rerank`` (returning the types of ``results.py``); the base raises ``ProviderUnsupported``.
The four ``Generation`` calls have an async twin (``achat``, ``aembed``, ``agenerate_image``, ``asynthesize_speech``); the
base runs the sync method in a worker thread, HTTP backends await an ``httpx.AsyncClient``.
``parameters`` (a saved model's call defaults, see ``ai_models.parameters``) apply under each
call's own arguments.

A class serves one provider id, or several: ``serving(provider_id, name)`` gives the class
under another id (two Ollama servers through the generic OpenAI-compatible class).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

from asgiref.sync import sync_to_async

from ..capabilities import allowed, capability_kind, kinds_from_legacy
from ..exceptions import ProviderAuthError, ProviderResponseError, ProviderUnsupported
from . import parsing
from .results import Moderation, Ranking, Transcription


@dataclass(frozen=True, slots=True)
class CatalogModel:
    """One model as a provider lists it, normalized. Prices are USD per 1M tokens.

    ``kinds`` (with a reason each) say which calls the model answers, as its provider tells;
    ``capabilities`` are the configured capabilities the catalog offers it for (those of its
    kinds), empty until the catalog fills them in.
    """

    provider: str
    model_id: str
    name: str = ""
    description: str = ""
    kinds: frozenset[str] = frozenset()
    reasons: dict[str, str] = field(default_factory=dict)  # kind -> why it was given
    context_window: int | None = None
    input_price: Decimal | None = None
    output_price: Decimal | None = None
    created: datetime | None = None
    expires: date | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    successor: str = ""  # the model the provider names as its replacement, if deprecated
    parameters: tuple[str, ...] = ()  # request parameters it supports, when the provider lists them
    dimensions: int | None = None  # length of its embedding vectors, when the provider says
    max_output: int | None = None  # the most tokens one reply may hold
    knowledge_cutoff: str = ""  # "2024-06": the date of its training data, as far as known
    # Fields completed from a model-facts dataset: ((field, source), ...), e.g.
    # (("input_price", "models.dev 2026-05-21"),); empty when every value is the provider's.
    facts: tuple = ()
    # Provider values a dataset disagrees with beyond the threshold: ((field, source, its value), ...).
    conflicts: tuple = ()
    capabilities: frozenset[str] = frozenset()
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def pk(self) -> str:
        return f"{self.provider}:{self.model_id}"

    def reason_for(self, capability: str) -> str:
        """Why the model is offered for ``capability`` (untranslated), or ""."""
        return self.reasons.get(capability_kind(capability) or "", "")

    @property
    def capability_reasons(self) -> dict[str, str]:
        """Capability -> why the model is offered for it, for every capability it is offered for."""
        return {name: self.reasons.get(kind, "") for name, kind in allowed() if name in self.capabilities}

    def source_of(self, field: str) -> str:
        """Where ``field``'s value came from: a dataset label, or "" for the provider's own."""
        return next((source for name, source in self.facts if name == field), "")

    def to_json(self) -> dict:
        """A JSON-safe dict (kept as ``AIModel.metadata`` and by ``--json`` output)."""
        data = asdict(self)
        for name in ("kinds", "capabilities"):
            data[name] = sorted(data[name])
        for name in ("input_modalities", "output_modalities", "parameters"):
            data[name] = list(data[name])
        for name in ("facts", "conflicts"):
            data[name] = [list(item) for item in data[name]]
        for name in ("input_price", "output_price"):
            data[name] = None if data[name] is None else str(data[name])
        for name in ("created", "expires"):
            data[name] = None if data[name] is None else data[name].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "CatalogModel":
        """Inverse of ``to_json``; also reads entries saved before kinds existed."""
        data = dict(data)
        data["capabilities"] = frozenset(data.get("capabilities") or ())
        if "kinds" in data:
            data["kinds"] = frozenset(data.get("kinds") or ())
        else:
            data["kinds"], data["reasons"] = kinds_from_legacy(data["capabilities"], data.get("reasons") or {})
        for name in ("input_modalities", "output_modalities", "parameters"):
            data[name] = tuple(data.get(name) or ())
        for name in ("facts", "conflicts"):
            data[name] = tuple(tuple(item) for item in data.get(name) or ())
        for name in ("input_price", "output_price"):
            if data.get(name) is not None:
                data[name] = Decimal(data[name])
        if data.get("created"):
            data["created"] = datetime.fromisoformat(data["created"])
        if data.get("expires"):
            data["expires"] = date.fromisoformat(data["expires"])
        return cls(**data)


@dataclass(frozen=True)
class Generation:
    """What a model produced: text for chat and content, bytes for images and audio."""

    kind: str  # "text" | "image" | "audio" | "embedding"
    provider: str
    model_id: str
    text: str = ""
    data: bytes = b""
    vectors: tuple = ()  # one tuple of floats per input text, for embeddings
    mime_type: str = ""  # e.g. "image/png", "audio/mpeg"
    demo: bool = False  # True for the offline snapshot's local, deterministic answers
    raw: dict = field(default_factory=dict, compare=False)  # the provider's answer, binary parts left out


class ParsedCatalog(list):
    """A list of ``CatalogModel`` that also counts the entries skipped as malformed."""

    def __init__(self, models=(), skipped: int = 0):
        super().__init__(models)
        self.skipped = skipped


class BaseProvider:
    """Base of every provider backend. Subclasses set the class attributes and parse."""

    id: ClassVar[str]
    name: ClassVar[str]
    default_base_url: ClassVar[str] = ""
    api_key_env: ClassVar[str | None] = None
    requires_key: ClassVar[bool] = True  # listing the catalog needs a key
    # Calling a model needs a key, even where listing does not; False for servers whose key is
    # optional (a local Ollama, vLLM...): a call then goes without one.
    calls_require_key: ClassVar[bool] = True
    # Where the model entries sit in a list payload; None when the payload is a bare list.
    items_key: ClassVar[str | None] = "data"
    # The chat parameter that caps a reply's length (the trial call asks for one token).
    token_limit_param: ClassVar[str] = "max_tokens"
    # Provider-specific options (``AI_MODELS["PROVIDERS"][id]``) and their defaults.
    default_options: ClassVar[dict] = {}

    def __init__(
        self,
        *,
        api_key: str = "",
        key_source: str = "",
        base_url: str = "",
        options: dict | None = None,
        key_error: str = "",
    ):
        self.api_key = api_key
        self.key_source = key_source
        # Why the configured key cannot be used (a stored key that no longer decrypts): the
        # provider then fails alone, with this message, instead of breaking the whole catalog.
        self.key_error = key_error
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.options = options or {}
        self.parameters: dict = {}  # the saved model's call defaults (``AIModel.get_backend()`` sets them)
        self.meter = None  # what its calls are counted for (``usage.Meter``, set by ``AIModel.get_backend()``)
        self.dimensions: int | None = None  # the saved model's embedding length, when known (same)

    @property
    def openai_base_url(self) -> str | None:
        """Base URL of the provider's OpenAI-compatible API (for the ``openai`` SDK), or None."""
        return None

    def sdk_transport(self, lib):
        """A transport of ``lib`` answering SDK clients in process (the snapshot's demo answers), or
        None: they then call ``openai_base_url`` over the network, guarded."""
        return None

    def option(self, name: str):
        """A provider-specific option, or its default."""
        return self.options.get(name, self.default_options.get(name))

    @classmethod
    def unknown_options(cls, options: dict) -> list[str]:
        """Option names this provider does not read (so a typo can be reported, not ignored)."""
        known = {"API_KEY", "API_KEY_ENV", "BASE_URL", "CLASS", "NAME", *cls.default_options}
        return sorted(set(options) - known)

    @classmethod
    def serving(cls, provider_id: str, name: str = "") -> type:
        """This class under ``provider_id`` (and display ``name``): the same class when they are its own.

        Parsing is a classmethod that stamps ``cls.id`` on every entry, so an instance of a
        class under another id is a subclass carrying that id; one per (class, id, name).
        """
        if provider_id == cls.id and (not name or name == cls.name):
            return cls
        return _serving(cls, provider_id, name or f"{cls.name} ({provider_id})")

    def __repr__(self):
        # Never the key.
        return f"<{type(self).__name__} {self.id} {self.base_url}>"

    @property
    def fingerprint(self) -> str:
        """A short hash of this provider's configuration, for cache keys.

        Includes a digest of the key so a new key fetches a new catalog, never the key itself.
        """
        key_digest = hashlib.sha256(f"ai_models:{self.api_key}".encode()).hexdigest() if self.api_key else ""
        config = json.dumps(
            [self.id, self.base_url, self.options, key_digest, bool(self.key_error), self.listing_scope()],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(config.encode()).hexdigest()[:16]

    def listing_scope(self):
        """What, besides the options, decides which models the list holds (JSON-able; part of
        the fingerprint). Providers that list only the kinds the settings ask for return them."""
        return None

    @classmethod
    def parse_catalog(cls, payload: Any) -> ParsedCatalog:
        """Normalize a raw list-models payload. Pure: no I/O, no settings.

        A malformed entry (including one nested too deep or holding text that cannot be
        encoded) is skipped and counted in ``.skipped``; a payload of the wrong shape or with
        more than ``parsing.MAX_MODELS`` entries raises ``ProviderResponseError``. Duplicate
        ids keep their first entry.
        """
        models, skipped, seen = [], 0, set()
        items = cls.payload_items(payload)
        cls.check_count(len(items))
        for item in items:
            try:
                parsing.check_raw(item)
                model = cls.parse_model(item)
            except (KeyError, TypeError, ValueError, AttributeError):
                skipped += 1
                continue
            if model is not None and model.model_id not in seen:
                seen.add(model.model_id)
                models.append(model)
        return ParsedCatalog(models, skipped)

    @classmethod
    def check_count(cls, count: int):
        """``ProviderResponseError`` when a list holds more models than any provider offers."""
        if count > parsing.MAX_MODELS:
            raise ProviderResponseError(
                cls.id,
                parsing.translate("more than %(limit)d models listed: the answer is refused as implausible")
                % {"limit": parsing.MAX_MODELS},
            )

    @classmethod
    def payload_shape(cls) -> str:
        """What a list payload looks like, for error messages."""
        if cls.items_key is None:
            return parsing.translate("a JSON array of models")
        return parsing.translate("an object with a %(key)r list") % {"key": cls.items_key}

    @classmethod
    def payload_items(cls, payload: Any) -> list:
        """The model entries of a payload: ``payload[items_key]``, or the payload itself when
        ``items_key`` is ``None``. Raises ``ProviderResponseError`` on any other shape."""
        if cls.items_key is None and isinstance(payload, list):
            return payload
        if cls.items_key is not None and isinstance(payload, dict) and isinstance(payload.get(cls.items_key), list):
            return payload[cls.items_key]
        raise ProviderResponseError(
            cls.id, parsing.translate("unexpected payload, expected %(shape)s") % {"shape": cls.payload_shape()}
        )

    @classmethod
    def catalog_model(cls, item: dict, model_id: str, reasons: dict, **fields) -> "CatalogModel":
        """A ``CatalogModel`` of this provider: its kinds are those ``reasons`` gives (kind -> why)."""
        return CatalogModel(provider=cls.id, model_id=model_id, kinds=frozenset(reasons), reasons=reasons, raw=item, **fields)

    @classmethod
    def parse_model(cls, item: Any) -> "CatalogModel | None":
        """One payload entry as a ``CatalogModel`` (``None`` to leave it out on purpose).

        Raise ``KeyError``/``TypeError``/``ValueError`` for a malformed entry: it is skipped and counted.
        """
        raise NotImplementedError(f"{cls.__name__} must implement parse_model() or parse_catalog()")

    def fetch_payload(self) -> Any:
        """Fetch the raw list-models payload (all pages). Raises ``ProviderError``."""
        raise NotImplementedError(f"{type(self).__name__} must implement fetch_payload()")

    def require_key(self, always: bool = False):
        """Raise ``ProviderAuthError`` when a key is needed and none is usable (no HTTP call).

        ``always``: for a call to a model, which needs a key even where listing does not, unless
        the provider's calls take none (``calls_require_key``).
        """
        if self.key_error:
            raise ProviderAuthError(self.id, self.key_error)
        if (self.requires_key or (always and self.calls_require_key)) and not self.api_key:
            where = self.api_key_env or f"AI_MODELS['PROVIDERS']['{self.id}']['API_KEY']"
            raise ProviderAuthError(
                self.id,
                parsing.translate("no API key configured; set %(setting)s or add one in the admin")
                % {"setting": where},
            )

    def fetch_catalog(self) -> ParsedCatalog:
        """Fetch and parse the provider's current catalog. Raises ``ProviderError``."""
        self.require_key()
        return self.parse_catalog(self.fetch_payload())

    # -- invocation: override what the provider's API can do -------------------------------

    def unsupported(self, what: str) -> ProviderUnsupported:
        return ProviderUnsupported(
            self.id,
            parsing.translate("%(provider)s does not support %(what)s here") % {"provider": self.name, "what": what},
        )

    def chat(self, model_id: str, messages: list[dict], **params) -> Generation:
        """A reply to ``messages`` (OpenAI-style role/content dicts); ``params`` go to the API as is.

        Raises ``ProviderUnsupported``, or a ``ProviderError`` when the call fails.
        """
        raise self.unsupported(parsing.translate("chat"))

    def embed(self, model_id: str, texts: list[str]) -> Generation:
        """One vector per text in ``texts`` (``dimensions``: the saved model's, if any). Raises
        ``ProviderUnsupported`` or ``ProviderError``."""
        raise self.unsupported(parsing.translate("embeddings"))

    def generate_image(self, model_id: str, prompt: str, *, size: str | None = None) -> Generation:
        """An image drawn from ``prompt`` (``size`` such as "1024x1024"; default the saved model's
        ``image_size``, else 1024x1024). Raises ``ProviderUnsupported`` or ``ProviderError``."""
        raise self.unsupported(parsing.translate("image generation"))

    def synthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        """``text`` read aloud (default the saved model's ``voice``/``audio_format``, else alloy, mp3).
        Raises ``ProviderUnsupported`` or ``ProviderError``."""
        raise self.unsupported(parsing.translate("speech synthesis"))

    def transcribe(
        self, model_id: str, audio: bytes, *, filename: str = "clip.wav", mime_type: str = "audio/wav",
        language: str = "",
    ) -> Transcription:
        """The text spoken in ``audio``. Raises ``ProviderUnsupported`` or ``ProviderError``."""
        raise self.unsupported(parsing.translate("transcription"))

    def moderate(self, model_id: str, text: str) -> Moderation:
        """Whether ``text`` is flagged. Raises ``ProviderUnsupported`` or ``ProviderError``."""
        raise self.unsupported(parsing.translate("moderation"))

    def rerank(self, model_id: str, query: str, documents: list[str]) -> Ranking:
        """``documents`` by relevance to ``query``. Raises ``ProviderUnsupported`` or ``ProviderError``."""
        raise self.unsupported(parsing.translate("reranking"))

    async def achat(self, model_id: str, messages: list[dict], **params) -> Generation:
        """``chat`` for async code."""
        return await sync_to_async(self.chat, thread_sensitive=False)(model_id, messages, **params)

    async def aembed(self, model_id: str, texts: list[str]) -> Generation:
        """``embed`` for async code."""
        return await sync_to_async(self.embed, thread_sensitive=False)(model_id, texts)

    async def agenerate_image(self, model_id: str, prompt: str, *, size: str | None = None) -> Generation:
        """``generate_image`` for async code."""
        return await sync_to_async(self.generate_image, thread_sensitive=False)(model_id, prompt, size=size)

    async def asynthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        """``synthesize_speech`` for async code."""
        call = sync_to_async(self.synthesize_speech, thread_sensitive=False)
        return await call(model_id, text, voice=voice, audio_format=audio_format)


@lru_cache(maxsize=None)
def _serving(cls, provider_id: str, name: str) -> type:
    return type(cls.__name__, (cls,), {"id": provider_id, "name": name, "__module__": cls.__module__})
