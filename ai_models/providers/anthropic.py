"""Anthropic: ``GET https://api.anthropic.com/v1/models`` and chat through the Messages API.

Requests carry the key in ``x-api-key`` and the API version in ``anthropic-version``. Pages of
up to 1000 models follow ``has_more`` and ``last_id`` (sent back as ``after_id``). Every listed
model answers the Messages API, so each is a chat model; ``max_input_tokens`` is its context
window and ``capabilities`` (where present) say which inputs it reads.
"""

from typing import Any, ClassVar

from django.utils.translation import gettext as _

from .. import classification as rules
from . import media, parsing
from .base import CatalogModel, Generation
from .http import HTTPProvider, Reply

# capabilities key -> the input modality it stands for
INPUT_CAPABILITIES = (("image_input", "image"), ("pdf_input", "file"))


def _supported(value) -> bool:
    """A capability given as ``true`` or as ``{"supported": true, ...}``."""
    return value is True or (isinstance(value, dict) and value.get("supported") is True)


class AnthropicProvider(HTTPProvider):
    """Claude models, listed by Anthropic's Models API and called through its Messages API."""

    id = "anthropic"
    name = "Anthropic"
    default_base_url = "https://api.anthropic.com/v1"
    api_key_env = "ANTHROPIC_API_KEY"
    auth_header = "x-api-key"
    auth_scheme = ""
    list_params = {"limit": 1000}
    messages_path = "/messages"
    default_options: ClassVar[dict] = {
        **HTTPProvider.default_options,
        "API_VERSION": "2023-06-01",
        "MAX_TOKENS": 1024,  # the Messages API requires max_tokens; used when a call gives none
    }

    def auth_headers(self) -> dict[str, str]:
        return {**super().auth_headers(), "anthropic-version": str(self.option("API_VERSION"))}

    def next_page(self, data: Any, reply: Reply, url: str, params: dict):
        if not isinstance(data, dict) or data.get("has_more") is not True:
            return None
        last_id = data.get("last_id")
        if isinstance(last_id, str) and last_id:
            return url, {**params, "after_id": last_id}
        return None

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel:
        model_id = parsing.model_id(item["id"])
        capabilities = item.get("capabilities") if isinstance(item.get("capabilities"), dict) else {}
        inputs = ("text", *(modality for key, modality in INPUT_CAPABILITIES if _supported(capabilities.get(key))))
        reasons = rules.without_special_purpose(rules.grant_chat(rules.MESSAGES_API), model_id)
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=parsing.name(item.get("display_name"), model_id),
            context_window=parsing.context_window(item.get("max_input_tokens")),
            max_output=parsing.context_window(item.get("max_tokens")),
            created=parsing.timestamp(item.get("created_at")),
            input_modalities=inputs,
            output_modalities=("text",),
        )

    # Chat goes through the Messages API (not OpenAI's chat completions, so no openai_client()).
    chat_path = messages_path

    def chat_request(self, model_id: str, messages: list[dict], params: dict) -> tuple[str, dict]:
        """``POST /messages``: system messages become its ``system`` parameter; ``max_tokens`` is required."""
        path, body = super().chat_request(model_id, messages, params)
        system = [str(message.get("content") or "") for message in body["messages"] if message.get("role") == "system"]
        body = {"max_tokens": self.option("MAX_TOKENS"), **body}
        body["messages"] = [message for message in body["messages"] if message.get("role") != "system"]
        if system:
            body["system"] = "\n\n".join(system)
        return path, body

    def chat_generation(self, model_id: str, reply: Reply) -> Generation:
        data = self.json_object(reply)
        content = data.get("content")
        if not isinstance(content, list):
            raise self.unusable(reply, _("a message with content blocks"))
        text = "".join(
            block.get("text") or "" for block in content if isinstance(block, dict) and block.get("type") == "text"
        )
        return Generation(kind="text", provider=self.id, model_id=model_id, text=text, raw=media.without_binary(data))
