"""The offline provider: a catalog read from a JSON file instead of an API.

The package ships ``ai_models/snapshot/catalog.json`` (real model ids and published
prices, written by us) so the demo and air-gapped sites have a full catalog with no
network and no keys. ``AI_MODELS["PROVIDERS"]["snapshot"]["PATH"]`` points at another file.

File format: ``{"captured": "YYYY-MM-DD", "models": [{"id", "name", "description",
"capabilities": [...], "context_window", "input_price", "output_price" (USD per 1M tokens,
strings), "created", "expires", "input_modalities", "output_modalities"}]}``.
"""

import hashlib
import json
from pathlib import Path

from .. import parameters as call_parameters
from ..capabilities import gettext_noop
from ..exceptions import ProviderResponseError
from . import media, parsing
from .base import BaseProvider, CatalogModel, Generation

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "snapshot" / "catalog.json"
LISTED = gettext_noop("listed in the snapshot file")
MAX_ECHO = 500  # characters of the prompt quoted back
MAX_SIDE = 1024  # pixels
DEFAULT_SIDE = 256


def _seed(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _image_size(size: str) -> tuple[int, int]:
    width, _x, height = str(size).lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        return DEFAULT_SIDE, DEFAULT_SIDE
    return tuple(min(max(int(side), 8), MAX_SIDE) for side in (width, height))


class SnapshotProvider(BaseProvider):
    """Models listed in a JSON file: the offline, keyless catalog."""

    id = "snapshot"
    name = "Offline snapshot"
    requires_key = False
    items_key = "models"
    default_options = {"PATH": ""}

    @property
    def path(self) -> Path:
        return Path(self.option("PATH") or DEFAULT_PATH)

    def fetch_payload(self):
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as err:
            raise ProviderResponseError(
                self.id,
                parsing.translate("cannot read the snapshot file %(path)s: %(error)s")
                % {"path": self.path, "error": err.strerror},
            ) from err
        try:
            return json.loads(text)
        except ValueError as err:
            raise ProviderResponseError(
                self.id,
                parsing.translate("the snapshot file %(path)s is not valid JSON (%(error)s)")
                % {"path": self.path, "error": err},
            ) from err

    # -- invocation: local, deterministic demo answers (no network, no key) ------------------

    def chat(self, model_id: str, messages: list[dict], **params) -> Generation:
        """A short reply that says it is demo output and quotes the last user message."""
        prompt = next(
            (
                str(m.get("content") or "")
                for m in reversed(messages)
                if isinstance(m, dict) and m.get("role") == "user"
            ),
            "",
        )
        prompt = " ".join(prompt.split())
        if len(prompt) > MAX_ECHO:
            prompt = prompt[: MAX_ECHO - 1] + "…"
        text = parsing.translate(
            "[Demo output] This answer comes from the offline snapshot provider, not from a real model, "
            "so it only echoes your prompt. Activate a model of a live provider for real answers.\n\n"
            "Model: %(model)s\nYou wrote: %(prompt)s"
        ) % {"model": model_id, "prompt": prompt}
        return Generation(kind="text", provider=self.id, model_id=model_id, text=text, demo=True)

    def generate_image(self, model_id: str, prompt: str, *, size: str | None = None) -> Generation:
        """A PNG block pattern derived from the prompt: same prompt, same picture."""
        width, height = _image_size(call_parameters.image_size(self.parameters, size))
        data = media.identicon_png(_seed(model_id, prompt), width, height)
        return Generation(
            kind="image", provider=self.id, model_id=model_id, data=data, mime_type="image/png", demo=True
        )

    def synthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        """A short WAV tune derived from the text (always WAV, whatever ``audio_format`` asks)."""
        voice, _format = call_parameters.speech_options(self.parameters, voice, audio_format)
        notes = min(max(len(text.split()), 3), 12)
        data = media.melody_wav(_seed(model_id, voice, text), notes)
        return Generation(
            kind="audio", provider=self.id, model_id=model_id, data=data, mime_type="audio/wav", demo=True
        )

    # Local and quick: the async twins answer in the event loop, no thread needed.
    async def achat(self, model_id: str, messages: list[dict], **params) -> Generation:
        return self.chat(model_id, messages, **params)

    async def agenerate_image(self, model_id: str, prompt: str, *, size: str | None = None) -> Generation:
        return self.generate_image(model_id, prompt, size=size)

    async def asynthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        return self.synthesize_speech(model_id, text, voice=voice, audio_format=audio_format)

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel:
        model_id = parsing.model_id(item["id"])
        capabilities = item.get("capabilities") or []
        if not isinstance(capabilities, list) or not all(isinstance(name, str) for name in capabilities):
            raise TypeError("capabilities")
        return cls.catalog_model(
            item,
            model_id,
            {name: LISTED for name in capabilities},
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("context_window")),
            input_price=parsing.price(item.get("input_price")),
            output_price=parsing.price(item.get("output_price")),
            created=parsing.timestamp(item.get("created")),
            expires=parsing.day(item.get("expires")),
            input_modalities=parsing.modalities(item.get("input_modalities")) or ("text",),
            output_modalities=parsing.modalities(item.get("output_modalities")) or ("text",),
        )
