"""Hugging Face: ``GET https://huggingface.co/api/models``, a bare JSON array per page.

Only models some inference provider serves (``inference_provider=all``), one query per
pipeline tag of the configured capabilities' kinds (or the ``PIPELINE_TAGS`` option), most
downloaded first, at most ``MAX_MODELS`` in all (shared evenly between the tags). Pages follow
the ``Link: <...>; rel="next"`` header. ``HF_TOKEN`` is optional for listing.
"""

from math import ceil
from typing import Any

from .. import classification as rules
from ..capabilities import CHAT, configured_kinds
from . import parsing
from .base import CatalogModel
from .http import HTTPProvider, Reply

MAX_PAGE_SIZE = 1000
# Pipeline tags a base checkpoint shares with chat models: only a chat template makes them chat.
CHAT_TEMPLATE_TAGS = ("text-generation", "image-text-to-text")


def _without_chat_template(item: dict) -> bool:
    """Whether the entry says the model has no chat template: the Hub tags every model that has
    one "conversational", and a tokenizer config, when listed, holds it."""
    config = item.get("config") if isinstance(item.get("config"), dict) else {}
    tokenizer = config.get("tokenizer_config")
    if isinstance(tokenizer, dict):
        return not tokenizer.get("chat_template")
    tags = item.get("tags")
    return isinstance(tags, list) and "conversational" not in tags


class HuggingFaceProvider(HTTPProvider):
    """Hugging Face Hub models served by inference providers, by pipeline tag."""

    id = "huggingface"
    name = "Hugging Face"
    default_base_url = "https://huggingface.co/api"
    api_key_env = "HF_TOKEN"
    requires_key = False
    items_key = None
    default_options = {
        **HTTPProvider.default_options,
        "MAX_MODELS": 1000,
        "PIPELINE_TAGS": None,  # None: the tags of the configured capabilities' kinds
        "SORT": "downloads",  # or "likes", "trendingScore"
        # Hugging Face's OpenAI-compatible router, which calls the models (the list is on the Hub).
        "INFERENCE_BASE_URL": "https://router.huggingface.co/v1",
    }

    def pipeline_tags(self) -> list[str]:
        """The tags to list: the option when set, else those of the configured kinds."""
        tags = self.option("PIPELINE_TAGS")
        return list(tags) if tags is not None else rules.pipeline_tags_for(configured_kinds())

    def listing_scope(self):
        return self.pipeline_tags()

    @property
    def openai_base_url(self) -> str:
        return str(self.option("INFERENCE_BASE_URL")).rstrip("/")

    def next_page(self, data: Any, reply: Reply, url: str, params: dict):
        following = reply.next_link
        return (following, {}) if following else None

    def fetch_payload(self) -> list:
        """The concatenated lists of every pipeline tag, most popular first within each."""
        tags = self.pipeline_tags()
        per_tag = ceil(int(self.option("MAX_MODELS")) / max(len(tags), 1))
        items = []
        with self.client() as client:
            for tag in tags:
                params = {
                    "pipeline_tag": tag,
                    "inference_provider": "all",
                    "sort": self.option("SORT"),
                    "direction": -1,
                    "limit": min(per_tag, MAX_PAGE_SIZE),
                }
                items += self.collect_pages(client, self.url("/models"), params, limit=per_tag)
        return items

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel:
        model_id = parsing.model_id(item["id"])
        tag = item.get("pipeline_tag")
        reasons = rules.without_special_purpose(rules.classify_by_pipeline_tag(tag), model_id)
        if tag in CHAT_TEMPLATE_TAGS and _without_chat_template(item):
            reasons.pop(CHAT, None)
        inputs, outputs = rules.pipeline_tag_modalities(tag)
        return cls.catalog_model(
            item,
            model_id,
            reasons,
            name=model_id[: parsing.MAX_NAME],
            created=parsing.timestamp(item.get("createdAt")),
            input_modalities=inputs,
            output_modalities=outputs,
        )
