"""The OpenAI-style ``GET /models`` list and chat completions, shared by OpenAI, Groq and DeepSeek.

These lists carry little beyond the id, so capabilities come from the id unless an entry
says more (Groq and newer DeepSeek payloads add ``output_modalities``, ``context_window``
and ``active``).
"""

from .. import capabilities as rules
from . import parsing
from .base import CatalogModel
from .http import HTTPProvider


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
        reasons = rules.classify_by_modalities(outputs) if outputs else rules.classify_by_id(model_id)
        reasons = rules.without_special_purpose(reasons, model_id)
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("context_window") or item.get("context_length")),
            created=parsing.timestamp(item.get("created")),
            input_modalities=parsing.modalities(item.get("input_modalities")),
            output_modalities=outputs,
        )
