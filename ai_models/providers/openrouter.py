"""OpenRouter: ``GET https://openrouter.ai/api/v1/models?output_modalities=all`` (public list).

Without ``output_modalities=all`` the list holds text-output models only, leaving out the
image- and speech-only ones; embedding models have their own list (``/embeddings/models``),
fetched when a capability of kind embedding is configured. Prices are strings in USD per
token; ``"-1"`` means variable. Calls: chat, images (through chat) and embeddings; OpenRouter
offers no transcription, moderation or rerank endpoint.
"""

from dataclasses import replace
from math import gcd
from typing import Any
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from .. import classification as rules
from ..capabilities import EMBEDDING, configured_kinds, gettext_noop
from . import media, parsing
from .base import CatalogModel, Generation, ParsedCatalog
from .http import HTTPProvider, Reply


EMBEDDINGS_KEY = "embeddings"  # in the fetched payload: the entries of /embeddings/models
LISTED_AS_EMBEDDING = gettext_noop("listed by OpenRouter's embeddings models list")


class OpenRouterProvider(HTTPProvider):
    """Every model OpenRouter routes to, classified by its output modalities."""

    id = "openrouter"
    name = "OpenRouter"
    default_base_url = "https://openrouter.ai/api/v1"
    api_key_env = "OPENROUTER_API_KEY"
    requires_key = False  # the model list is public; a key is used when set
    list_params = {"output_modalities": "all"}
    chat_path = "/chat/completions"
    embeddings_path = "/embeddings"

    def listing_scope(self):
        return self.lists_embeddings()

    def lists_embeddings(self) -> bool:
        """Whether to fetch ``/embeddings/models`` too: a configured capability is of kind embedding."""
        return EMBEDDING in configured_kinds()

    def fetch_payload(self) -> dict:
        """The models list, and the embeddings models list (as ``"embeddings"``) when embeddings are asked for."""
        with self.client() as client:
            payload = {self.items_key: self.collect_pages(client, self.url(self.list_path), dict(self.list_params))}
            if self.lists_embeddings():
                payload[EMBEDDINGS_KEY] = self.collect_pages(client, self.url("/embeddings/models"))
        return payload

    @classmethod
    def parse_catalog(cls, payload: Any) -> ParsedCatalog:
        """The models list, then the embeddings list: a model there is an embedding model even
        when its entry says nothing more (then by where it is listed)."""
        catalog = super().parse_catalog(payload)
        extra = payload.get(EMBEDDINGS_KEY) if isinstance(payload, dict) else None
        if not isinstance(extra, list):
            return catalog
        seen = {model.model_id for model in catalog}
        embeddings = super().parse_catalog({cls.items_key: extra})
        for model in embeddings:
            if model.model_id in seen:
                continue
            if not model.kinds & {EMBEDDING} and not model.output_modalities:
                model = replace(model, kinds=frozenset({EMBEDDING}), reasons={EMBEDDING: LISTED_AS_EMBEDDING})
            catalog.append(model)
        catalog.skipped += embeddings.skipped
        return catalog

    def next_page(self, data: Any, reply: Reply, url: str, params: dict):
        links = data.get("links") if isinstance(data, dict) else None
        following = links.get("next") if isinstance(links, dict) else None
        if isinstance(following, str) and following:
            return urljoin(str(reply.url), following), {}
        return None

    # Images come from a chat completion asking for image output (``message.images`` data URLs).
    images_path = chat_path

    def image_request(self, model_id: str, prompt: str, size: str) -> tuple[str, dict]:
        params = {"modalities": ["image", "text"]}
        ratio = aspect_ratio(size)
        if ratio and ratio != "1:1":
            params["image_config"] = {"aspect_ratio": ratio}
        return self.chat_request(model_id, [{"role": "user", "content": prompt}], params)

    def image_generation(self, model_id: str, reply: Reply) -> Generation:
        data, message = self.completion_message(reply)
        for image in message.get("images") or []:
            try:
                _declared, blob = media.decode_data_url(image["image_url"]["url"])
            except (KeyError, TypeError, ValueError):
                continue
            mime_type = media.sniff_image_type(blob)
            if mime_type:
                text = message.get("content") if isinstance(message.get("content"), str) else ""
                return Generation(
                    kind="image",
                    provider=self.id,
                    model_id=model_id,
                    text=text or "",
                    data=blob,
                    mime_type=mime_type,
                    raw=media.without_binary(data),
                )
        raise self.unusable(reply, _("an image in the answer"))

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel:
        model_id = parsing.model_id(item["id"])
        architecture = item.get("architecture") or {}
        # Older payloads only have "modality": "text+image->text".
        legacy_inputs, _arrow, legacy_outputs = str(architecture.get("modality") or "").partition("->")
        inputs = parsing.modalities(architecture.get("input_modalities")) or parsing.modalities(legacy_inputs)
        outputs = parsing.modalities(architecture.get("output_modalities")) or parsing.modalities(legacy_outputs)
        if outputs or item.get("supported_voices"):
            reasons = rules.classify_by_modalities(outputs, voices=bool(item.get("supported_voices")))
            reasons = rules.without_special_purpose(reasons, model_id)
        else:
            reasons = rules.classify_by_id(model_id)
        pricing = item.get("pricing") or {}
        top_provider = item.get("top_provider") or {}
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("context_length") or top_provider.get("context_length")),
            max_output=parsing.context_window(top_provider.get("max_completion_tokens")),
            input_price=parsing.price(pricing.get("prompt"), per_token=True),
            output_price=parsing.price(pricing.get("completion"), per_token=True),
            created=parsing.timestamp(item.get("created")),
            expires=parsing.day(item.get("expiration_date")),
            input_modalities=inputs,
            output_modalities=outputs,
            parameters=parsing.names(item.get("supported_parameters")),
        )


def aspect_ratio(size: str) -> str:
    """``"1536x1024"`` -> ``"3:2"``; "" when ``size`` is not WIDTHxHEIGHT."""
    width, _x, height = str(size).lower().partition("x")
    if not (width.isdigit() and height.isdigit()) or not int(width) or not int(height):
        return ""
    divisor = gcd(int(width), int(height))
    return f"{int(width) // divisor}:{int(height) // divisor}"
