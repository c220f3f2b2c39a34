"""Mistral: ``GET https://api.mistral.ai/v1/models``, each entry with a ``capabilities`` object.

The flags say what a model does (``completion_chat``; ``vision`` and ``audio`` for its inputs;
``ocr``, ``moderation``, ``audio_transcription``, ``classification`` for other jobs): moderation and
transcription models are of those kinds, an embedding model (no flag) is one by its id, and an
OCR model is offered for nothing; none is ever offered for chat. ``deprecation`` and
``deprecation_replacement_model`` become the entry's expiry and its named successor, which the
drift watch reports. Calls go through Mistral's OpenAI-compatible endpoints.
"""

from .. import classification as rules
from . import parsing
from .base import CatalogModel
from .openai_compatible import OpenAICompatibleProvider

INPUT_FLAGS = (("vision", "image"), ("audio", "audio"))


class MistralProvider(OpenAICompatibleProvider):
    """Mistral's models, classified by their capability flags; archived fine-tunes left out."""

    id = "mistral"
    name = "Mistral AI"
    default_base_url = "https://api.mistral.ai/v1"
    api_key_env = "MISTRAL_API_KEY"
    embeddings_path = "/embeddings"

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel | None:
        model_id = parsing.model_id(item["id"])
        if item.get("archived") is True:
            return None
        flags = item.get("capabilities")
        if flags is None:
            reasons = rules.classify_by_id(model_id)
        elif isinstance(flags, dict):
            # No flag for embeddings: an embedding model says so by its id alone.
            reasons = rules.classify_by_flags(flags) or rules.classify_by_purpose(model_id)
        else:
            raise TypeError("capabilities")
        flags = flags or {}
        inputs = ("text", *(modality for flag, modality in INPUT_FLAGS if flags.get(flag) is True))
        return cls.catalog_model(
            item,
            model_id,
            rules.without_special_purpose(reasons, model_id),
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("max_context_length")),
            created=parsing.timestamp(item.get("created")),
            expires=parsing.day(item.get("deprecation")),
            input_modalities=inputs if reasons else (),
            successor=parsing.optional_model_id(item.get("deprecation_replacement_model")),
        )
