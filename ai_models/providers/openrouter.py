"""OpenRouter: ``GET https://openrouter.ai/api/v1/models?output_modalities=all`` (public list).

Without ``output_modalities=all`` the list holds text-output models only, leaving out the
image- and speech-only ones. Prices are strings in USD per token; ``"-1"`` means variable.
"""

from math import gcd
from typing import Any
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from .. import capabilities as rules
from . import media, parsing
from .base import CatalogModel, Generation
from .http import HTTPProvider, Reply


class OpenRouterProvider(HTTPProvider):
    """Every model OpenRouter routes to, classified by its output modalities."""

    id = "openrouter"
    name = "OpenRouter"
    default_base_url = "https://openrouter.ai/api/v1"
    api_key_env = "OPENROUTER_API_KEY"
    requires_key = False  # the model list is public; a key is used when set
    list_params = {"output_modalities": "all"}
    chat_path = "/chat/completions"

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
        else:
            reasons = rules.classify_by_id(model_id)
        reasons = rules.without_special_purpose(reasons, model_id)
        pricing = item.get("pricing") or {}
        top_provider = item.get("top_provider") or {}
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("context_length") or top_provider.get("context_length")),
            input_price=parsing.price(pricing.get("prompt"), per_token=True),
            output_price=parsing.price(pricing.get("completion"), per_token=True),
            created=parsing.timestamp(item.get("created")),
            expires=parsing.day(item.get("expiration_date")),
            input_modalities=inputs,
            output_modalities=outputs,
        )


def aspect_ratio(size: str) -> str:
    """``"1536x1024"`` -> ``"3:2"``; "" when ``size`` is not WIDTHxHEIGHT."""
    width, _x, height = str(size).lower().partition("x")
    if not (width.isdigit() and height.isdigit()) or not int(width) or not int(height):
        return ""
    divisor = gcd(int(width), int(height))
    return f"{int(width) // divisor}:{int(height) // divisor}"
