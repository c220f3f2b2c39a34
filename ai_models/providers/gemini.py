"""Google Gemini: ``GET https://generativelanguage.googleapis.com/v1beta/models``.

The key goes in the ``x-goog-api-key`` header, never in ``?key=``: httpx errors quote the
URL. Pages of up to 1000 models follow ``nextPageToken``. Chat and embeddings go through
Gemini's OpenAI-compatible endpoints; it offers no transcription, moderation or rerank endpoint.
"""

from typing import Any

from .. import classification as rules
from . import parsing
from .base import CatalogModel
from .http import HTTPProvider, Reply


class GeminiProvider(HTTPProvider):
    """Gemini, Gemma and Imagen models, classified by ``supportedGenerationMethods``."""

    id = "gemini"
    name = "Google Gemini"
    default_base_url = "https://generativelanguage.googleapis.com/v1beta"
    api_key_env = "GEMINI_API_KEY"
    auth_header = "x-goog-api-key"
    auth_scheme = ""
    list_params = {"pageSize": 1000}
    items_key = "models"
    # Chat goes through Gemini's OpenAI-compatible endpoint, which takes a Bearer key.
    chat_path = "/openai/chat/completions"
    embeddings_path = "/openai/embeddings"

    def invocation_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def next_page(self, data: Any, reply: Reply, url: str, params: dict):
        token = data.get("nextPageToken") if isinstance(data, dict) else None
        if isinstance(token, str) and token:
            return url, {**params, "pageToken": token}
        return None

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel:
        name = item["name"]
        model_id = parsing.model_id(name.removeprefix("models/") if isinstance(name, str) else name)
        methods = item.get("supportedGenerationMethods") or []
        if not isinstance(methods, list):
            raise TypeError("supportedGenerationMethods")
        reasons = rules.without_special_purpose(rules.classify_by_gemini_methods(model_id, methods), model_id)
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=parsing.name(item.get("displayName"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("inputTokenLimit")),
            max_output=parsing.context_window(item.get("outputTokenLimit")),
        )
