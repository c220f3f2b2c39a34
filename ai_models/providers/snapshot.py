"""The offline provider: a catalog read from a JSON file instead of an API.

The package ships ``ai_models/snapshot/catalog.json`` (real model ids and published
prices, written by us) so the demo and air-gapped sites have a full catalog with no
network and no keys. ``AI_MODELS["PROVIDERS"]["snapshot"]["PATH"]`` points at another file.

File format: ``{"captured": "YYYY-MM-DD", "models": [{"id", "name", "description",
"kinds": [...], "context_window", "input_price", "output_price" (USD per 1M tokens,
strings), "created", "expires", "input_modalities", "output_modalities",
"supported_parameters", "dimensions"}]}``. Files written before kinds existed list
``"capabilities"`` (chat, content, image, audio) instead; they are read as kinds.

Every call answers locally and deterministically, marked as demo output, so the demo shows
every kind with no network.
"""

import hashlib
import json
import re
import struct
from pathlib import Path

from .. import parameters as call_parameters
from ..capabilities import as_kind, gettext_noop
from ..exceptions import ProviderResponseError
from . import guard, media, parsing
from .base import BaseProvider, CatalogModel, Generation
from .results import Moderation, Ranked, Ranking, Transcription

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "snapshot" / "catalog.json"
LISTED = gettext_noop("listed in the snapshot file")
MAX_ECHO = 500  # characters of the prompt quoted back
MAX_SIDE = 1024  # pixels
DEFAULT_SIDE = 256
DEFAULT_DIMENSIONS = 256
# The demo moderation flags texts holding these words; a real model is needed for anything else.
DEMO_FLAGGED = {"violence": ("kill", "murder", "attack"), "harassment": ("idiot", "stupid", "hate")}
DEMO_GUARD_CODES = {"violence": "S1", "harassment": "S10"}  # as Llama Guard numbers them
_WORD = re.compile(r"\w+")


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

    def sdk_transport(self, lib):
        """The demo answers over the OpenAI API, in process, for ``openai_client()`` (see ``snapshot_api``)."""
        from . import snapshot_api

        return snapshot_api.transport(self, lib)

    # -- invocation: local, deterministic demo answers (no network, no key) ------------------

    def _refuse_other_outputs(self, model_id: str, output: str):
        """Answer only in the kinds a listed model outputs, as a real provider would: a demo
        "Test and activate" of a text model for audio must fail, not return a fake clip."""
        listed = next((model for model in self.fetch_catalog() if model.model_id == model_id), None)
        if listed is not None and output not in listed.output_modalities:
            raise ProviderResponseError(
                self.id,
                parsing.translate("%(model)s does not output %(output)s (its catalog entry lists %(outputs)s)")
                % {"model": model_id, "output": output, "outputs": ", ".join(listed.output_modalities)},
            )

    def chat(self, model_id: str, messages: list[dict], **params) -> Generation:
        """A short reply that says it is demo output and quotes the last user message."""
        self._refuse_other_outputs(model_id, "text")
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
        self._refuse_other_outputs(model_id, "image")
        width, height = _image_size(call_parameters.image_size(self.parameters, size))
        data = media.identicon_png(_seed(model_id, prompt), width, height)
        return Generation(
            kind="image", provider=self.id, model_id=model_id, data=data, mime_type="image/png", demo=True
        )

    def synthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        """A short WAV tune derived from the text (always WAV, whatever ``audio_format`` asks)."""
        self._refuse_other_outputs(model_id, "audio")
        voice, _format = call_parameters.speech_options(self.parameters, voice, audio_format)
        notes = min(max(len(text.split()), 3), 12)
        data = media.melody_wav(_seed(model_id, voice, text), notes)
        return Generation(
            kind="audio", provider=self.id, model_id=model_id, data=data, mime_type="audio/wav", demo=True
        )

    def _listed_dimensions(self, model_id: str) -> int:
        """The vector length the file lists for ``model_id`` (``DEFAULT_DIMENSIONS`` when none)."""
        try:
            entry = next((model for model in self.fetch_catalog() if model.model_id == model_id), None)
        except ProviderResponseError:
            entry = None
        return (entry.dimensions if entry else None) or DEFAULT_DIMENSIONS

    def embed(self, model_id: str, texts: list[str]) -> Generation:
        """Unit vectors derived from each text: the same text, the same vector."""
        dimensions = self._listed_dimensions(model_id)
        vectors = []
        for text in texts:
            stream = b"".join(_seed(model_id, text, str(block)) for block in range(dimensions * 2 // 32 + 1))
            values = [value / 32768 for value in struct.unpack(f"<{dimensions}h", stream[: dimensions * 2])]
            norm = sum(value * value for value in values) ** 0.5 or 1.0
            vectors.append(tuple(value / norm for value in values))
        return Generation(kind="embedding", provider=self.id, model_id=model_id, vectors=tuple(vectors), demo=True)

    def transcribe(self, model_id, audio, *, filename="clip.wav", mime_type="audio/wav", language=""):
        """A transcript that says it is demo output and how long the clip was."""
        seconds = media.wav_seconds(bytes(audio))
        length = f"{seconds:.1f} s" if seconds is not None else f"{len(audio)} bytes"
        text = parsing.translate("[Demo transcript] The offline snapshot provider heard %(length)s of audio.") % {
            "length": length
        }
        return Transcription(self.id, model_id, text, language=language, demo=True)

    def moderate(self, model_id: str, text: str) -> Moderation:
        """Flags a text holding one of a few listed words (``DEMO_FLAGGED``). A guard model answers
        as Llama Guard does ("unsafe" and category codes), read by the same code as a real one."""
        words = {word.casefold() for word in _WORD.findall(text)}
        categories = {name: bool(words & set(listed)) for name, listed in DEMO_FLAGGED.items()}
        if guard.is_guard(model_id):
            codes = [code for name, code in DEMO_GUARD_CODES.items() if categories[name]]
            verdict = "unsafe\n" + ",".join(codes) if codes else "safe"
            flagged, categories, scores = guard.read_verdict(verdict)
            return Moderation(self.id, model_id, flagged, categories, scores, demo=True, raw={"verdict": verdict})
        scores = {name: 1.0 if hit else 0.0 for name, hit in categories.items()}
        return Moderation(self.id, model_id, any(categories.values()), categories, scores, demo=True)

    def rerank(self, model_id: str, query: str, documents: list[str]) -> Ranking:
        """Documents by the share of the query's words they contain."""
        asked = {word.casefold() for word in _WORD.findall(query)}
        results = []
        for index, document in enumerate(documents):
            found = {word.casefold() for word in _WORD.findall(document)}
            results.append(Ranked(index, len(asked & found) / len(asked) if asked else 0.0))
        results.sort(key=lambda item: item.score, reverse=True)
        return Ranking(self.id, model_id, results, demo=True)
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
        kinds = item["kinds"] if "kinds" in item else item.get("capabilities") or []
        if not isinstance(kinds, list) or not all(isinstance(name, str) for name in kinds):
            raise TypeError("kinds")
        return cls.catalog_model(
            item,
            model_id,
            {kind: LISTED for kind in filter(None, map(as_kind, kinds))},
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            context_window=parsing.context_window(item.get("context_window")),
            input_price=parsing.price(item.get("input_price")),
            output_price=parsing.price(item.get("output_price")),
            created=parsing.timestamp(item.get("created")),
            expires=parsing.day(item.get("expires")),
            input_modalities=parsing.modalities(item.get("input_modalities")) or ("text",),
            output_modalities=parsing.modalities(item.get("output_modalities")) or ("text",),
            parameters=parsing.names(item.get("supported_parameters")),
            dimensions=parsing.context_window(item.get("dimensions")),
        )
