"""The OpenAI-style ``GET /models`` list and chat completions: OpenAI, Groq, DeepSeek, and any
OpenAI-compatible server (Ollama, vLLM, LM Studio, xAI, Together, NVIDIA, Cerebras...).

These lists carry little beyond the id, so capabilities come from what an entry says first
(``output_modalities``; a ``type`` such as Together's), then from the id. Servers add other
fields this reads where present: ``active`` (Groq), ``context_window``/``context_length``
(Groq, Together), ``max_model_len`` (vLLM), ``max_context_length`` (LM Studio), ``pricing``:
``input``/``output`` in USD per 1M tokens (Together) or ``prompt``/``completion`` in USD per
token (Groq's newer lists), and ``max_completion_tokens`` (Groq).
"""

from typing import Any, ClassVar

from .. import classification as rules
from . import parsing
from .base import CatalogModel
from .http import HTTPProvider

CONTEXT_FIELDS = ("context_window", "context_length", "max_model_len", "max_context_length")


class OpenAICompatibleProvider(HTTPProvider):
    """A provider with an OpenAI-compatible ``/models`` endpoint and Bearer keys."""

    list_path = "/models"
    items_key = "data"
    chat_path = "/chat/completions"

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel | None:
        """One entry; ``None`` for a model the provider marks inactive."""
        model_id = parsing.model_id(item["id"])
        if item.get("active") is False:
            return None
        outputs = parsing.modalities(item.get("output_modalities"))
        by_type = rules.classify_by_model_type(item.get("type"))
        if outputs:
            reasons = rules.without_special_purpose(rules.classify_by_modalities(outputs), model_id)
        elif by_type is not None:
            reasons = rules.without_special_purpose(by_type, model_id)
        else:
            reasons = rules.classify_by_id(model_id)
        pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=parsing.name(item.get("name") or item.get("display_name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(next((item[key] for key in CONTEXT_FIELDS if item.get(key)), None)),
            input_price=_price(pricing, "input", "prompt"),
            output_price=_price(pricing, "output", "completion"),
            max_output=parsing.context_window(item.get("max_completion_tokens")),
            created=parsing.timestamp(item.get("created")),
            input_modalities=parsing.modalities(item.get("input_modalities")),
            output_modalities=outputs,
        )


def _price(pricing: dict, per_million: str, per_token: str):
    """A price in USD per 1M tokens from ``pricing[per_million]``, else ``pricing[per_token]``."""
    if pricing.get(per_million) is not None:
        return parsing.price(pricing.get(per_million))
    return parsing.price(pricing.get(per_token), per_token=True)


class OpenAICompatibleServer(OpenAICompatibleProvider):
    """Any server speaking the OpenAI API, under ids of the host's choosing.

    ``AI_MODELS["PROVIDERS"] = {"ollama": {"CLASS": "openai_compatible", "BASE_URL":
    "http://127.0.0.1:11434/v1", "NAME": "Local Ollama"}}``. The key is optional (sent when
    set); ``ENDPOINTS`` names the calls the server answers, so a trial of another one says
    "not supported" instead of reaching a 404.
    """

    id = "openai_compatible"
    name = "OpenAI-compatible server"
    requires_key = False
    calls_require_key = False
    embeddings_path = "/embeddings"
    images_path = "/images/generations"
    speech_path = "/audio/speech"
    default_options: ClassVar[dict] = {
        **HTTPProvider.default_options,
        "ENDPOINTS": ("chat", "embeddings", "images", "speech"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        endpoints = set(self.option("ENDPOINTS") or ())
        for endpoint in ("chat", "embeddings", "images", "speech"):
            if endpoint not in endpoints:
                setattr(self, f"{endpoint}_path", None)

    @classmethod
    def payload_items(cls, payload: Any) -> list:
        # Together answers a bare JSON array where the others wrap it in {"data": [...]}.
        if isinstance(payload, list):
            return payload
        return super().payload_items(payload)
