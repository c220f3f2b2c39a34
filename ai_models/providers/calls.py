"""Calling models over OpenAI-style endpoints: chat, embeddings, images, speech (sync and async),
transcriptions, moderations (a guard model's through chat completions) and rerank.

``ModelCalls`` is the calling half of ``HTTPProvider`` (``http.py`` holds the transport: clients,
retries, caps, errors). Each call is a request builder (path, body) and a pure reading of the reply,
shared by the sync method (``chat``) and its async twin (``achat``), which differ only in the I/O.
The saved model's ``parameters`` apply under each call's own arguments. A provider sets the paths
it offers; a call whose path is ``None`` falls back to the base class (``ProviderUnsupported``).
"""

from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext as _

from .. import parameters as call_parameters
from ..exceptions import ProviderResponseError
from . import guard, media
from .base import Generation
from .results import Moderation, Ranked, Ranking, Transcription

if TYPE_CHECKING:
    from .reply import Reply


class ModelCalls:
    """Mixin of ``HTTPProvider``: the calls to a model. Uses its ``client``/``aclient``, ``request``/
    ``arequest``, ``url``, ``decode_json`` and ``excerpt``."""

    # OpenAI-style endpoints this provider offers for calling models (None: not offered).
    chat_path: ClassVar[str | None] = None
    embeddings_path: ClassVar[str | None] = None
    images_path: ClassVar[str | None] = None
    speech_path: ClassVar[str | None] = None
    transcriptions_path: ClassVar[str | None] = None  # multipart file + model -> {text}
    moderations_path: ClassVar[str | None] = None  # POST {model, input} -> {results: [{flagged, ...}]}
    rerank_path: ClassVar[str | None] = None  # POST {model, query, documents} -> {results: [{index, relevance_score}]}

    @property
    def openai_base_url(self) -> str | None:
        """The base under which ``chat_path`` ends in ``/chat/completions``, or None."""
        suffix = "/chat/completions"
        if not self.chat_path or not self.chat_path.endswith(suffix):
            return None
        return self.url(self.chat_path[: -len(suffix)]).rstrip("/")

    def post(self, path: str, body: dict, accept: str = "application/json") -> "Reply":
        """POST ``body`` as JSON to ``path`` with the invocation client; a 2xx ``Reply``."""
        with self.client(invoking=True) as client:
            return self.request(client, "POST", self.url(path), json=body, headers={"Accept": accept})

    async def apost(self, path: str, body: dict, accept: str = "application/json") -> "Reply":
        """``post`` with an ``httpx.AsyncClient``."""
        async with self.aclient(invoking=True) as client:
            return await self.arequest(client, "POST", self.url(path), json=body, headers={"Accept": accept})

    def post_json(self, path: str, body: dict) -> tuple[Any, "Reply"]:
        reply = self.post(path, body)
        return self.json_object(reply), reply

    def json_object(self, reply: "Reply") -> dict:
        """The reply's body as a JSON object, or ``ProviderResponseError``."""
        data = self.decode_json(reply)
        if not isinstance(data, dict):
            raise self.unusable(reply, _("a JSON object"))
        return data

    def unusable(self, reply: "Reply", expected: str) -> ProviderResponseError:
        """The error for an answer that lacks what the call needs."""
        return ProviderResponseError(
            self.id,
            _("unexpected answer, expected %(expected)s") % {"expected": expected},
            status=reply.status,
            excerpt=self.excerpt(reply.content),
        )

    def chat_request(self, model_id: str, messages: list[dict], params: dict) -> tuple[str, dict]:
        """``(path, body)`` of a chat completion, this model's ``parameters`` applied under ``params``."""
        messages, params = call_parameters.chat_arguments(self.token_limit_param, self.parameters, messages, params)
        return self.chat_path, {**params, "model": model_id, "messages": messages}

    def completion_message(self, reply: "Reply") -> tuple[dict, dict]:
        """``(answer, first choice's message)`` of a chat completion reply."""
        data = self.json_object(reply)
        try:
            message = data["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            message = None
        if not isinstance(message, dict):
            raise self.unusable(reply, _("a chat completion with a message"))
        return data, message

    def chat_generation(self, model_id: str, reply: "Reply") -> Generation:
        data, message = self.completion_message(reply)
        content = message.get("content")
        if isinstance(content, list):  # content parts, as some providers answer
            content = "".join(part.get("text") or "" for part in content if isinstance(part, dict))
        if content is not None and not isinstance(content, str):
            raise self.unusable(reply, _("text content"))
        return Generation(
            kind="text", provider=self.id, model_id=model_id, text=content or "", raw=media.without_binary(data)
        )

    def chat(self, model_id: str, messages: list[dict], **params) -> Generation:
        if not self.chat_path:
            return super().chat(model_id, messages, **params)
        return self.chat_generation(model_id, self.post(*self.chat_request(model_id, messages, params)))

    async def achat(self, model_id: str, messages: list[dict], **params) -> Generation:
        if not self.chat_path:
            return await super().achat(model_id, messages, **params)
        return self.chat_generation(model_id, await self.apost(*self.chat_request(model_id, messages, params)))

    def embed_request(self, model_id: str, texts: list[str]) -> tuple[str, dict]:
        """``(path, body)`` asking for one vector per text, in the saved model's ``dimensions`` if set."""
        body = {"model": model_id, "input": list(texts)}
        if self.parameters.get("dimensions"):
            body["dimensions"] = self.parameters["dimensions"]
        return self.embeddings_path, body

    def embedding_generation(self, model_id: str, reply: "Reply", texts: list[str]) -> Generation:
        data = self.json_object(reply)
        try:
            rows = sorted(data["data"], key=lambda row: row.get("index", 0))
            lengths = {len(row["embedding"]) for row in rows}
        except (KeyError, TypeError, ValueError, AttributeError):
            rows, lengths = [], set()
        if self.dimensions and lengths and lengths != {self.dimensions}:  # checked before a float is built
            expected = _("embeddings of %(dimensions)d values, as saved for this model")
            raise self.unusable(reply, expected % {"dimensions": self.dimensions})
        try:
            vectors = tuple(tuple(float(number) for number in row["embedding"]) for row in rows)
        except (KeyError, TypeError, ValueError, AttributeError):
            vectors = ()
        if len(vectors) != len(texts) or not all(vectors) or len(lengths) != 1:
            raise self.unusable(reply, _("one embedding per input"))
        return Generation(
            kind="embedding", provider=self.id, model_id=model_id, vectors=vectors, raw={"model": data.get("model")}
        )

    def embed(self, model_id: str, texts: list[str]) -> Generation:
        if not self.embeddings_path:
            return super().embed(model_id, texts)
        return self.embedding_generation(model_id, self.post(*self.embed_request(model_id, texts)), texts)

    async def aembed(self, model_id: str, texts: list[str]) -> Generation:
        if not self.embeddings_path:
            return await super().aembed(model_id, texts)
        return self.embedding_generation(model_id, await self.apost(*self.embed_request(model_id, texts)), texts)

    def image_request(self, model_id: str, prompt: str, size: str) -> tuple[str, dict]:
        """``(path, body)`` asking for one image."""
        body = {"model": model_id, "prompt": prompt, "size": size, "n": 1,
                **call_parameters.image_options(self.parameters)}
        if model_id.rsplit("/", 1)[-1].startswith("dall-e"):
            # GPT Image models always answer in base64 and reject this parameter; DALL·E
            # would otherwise answer with a URL on another host.
            body["response_format"] = "b64_json"
        return self.images_path, body

    def image_generation(self, model_id: str, reply: "Reply") -> Generation:
        data = self.json_object(reply)
        try:
            image = media.decode_base64(data["data"][0]["b64_json"])
        except (KeyError, IndexError, TypeError, ValueError):
            image = b""
        mime_type = media.sniff_image_type(image)
        if not mime_type:
            raise self.unusable(reply, _("base64 image data"))
        return Generation(
            kind="image",
            provider=self.id,
            model_id=model_id,
            data=image,
            mime_type=mime_type,
            raw=media.without_binary(data),
        )

    def generate_image(self, model_id: str, prompt: str, *, size: str | None = None) -> Generation:
        if not self.images_path:
            return super().generate_image(model_id, prompt, size=size)
        size = call_parameters.image_size(self.parameters, size)
        return self.image_generation(model_id, self.post(*self.image_request(model_id, prompt, size)))

    async def agenerate_image(self, model_id: str, prompt: str, *, size: str | None = None) -> Generation:
        if not self.images_path:
            return await super().agenerate_image(model_id, prompt, size=size)
        size = call_parameters.image_size(self.parameters, size)
        return self.image_generation(model_id, await self.apost(*self.image_request(model_id, prompt, size)))

    def speech_request(self, model_id: str, text: str, voice, audio_format) -> tuple[str, dict, str]:
        """``(path, body, accept)`` asking for ``text`` read aloud."""
        voice, audio_format = call_parameters.speech_options(self.parameters, voice, audio_format)
        body = {"model": model_id, "input": text, "voice": voice, "response_format": audio_format,
                **call_parameters.speech_speed(self.parameters)}
        return self.speech_path, body, "audio/*"

    def speech_generation(self, model_id: str, reply: "Reply", body: dict) -> Generation:
        declared = reply.headers.get("content-type", "").split(";")[0].strip().lower()
        if not reply.content or declared.startswith(("application/json", "text/")):
            raise self.unusable(reply, _("audio data"))
        fallback_type = media.AUDIO_TYPES.get(body["response_format"], "")
        mime_type = declared if declared.startswith("audio/") else fallback_type
        return Generation(
            kind="audio",
            provider=self.id,
            model_id=model_id,
            data=reply.content,
            mime_type=mime_type or "application/octet-stream",
            raw={"content_type": declared, "bytes": len(reply.content)},
        )

    def synthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        if not self.speech_path:
            return super().synthesize_speech(model_id, text, voice=voice, audio_format=audio_format)
        path, body, accept = self.speech_request(model_id, text, voice, audio_format)
        return self.speech_generation(model_id, self.post(path, body, accept), body)

    async def asynthesize_speech(self, model_id: str, text: str, *, voice=None, audio_format=None) -> Generation:
        if not self.speech_path:
            return await super().asynthesize_speech(model_id, text, voice=voice, audio_format=audio_format)
        path, body, accept = self.speech_request(model_id, text, voice, audio_format)
        return self.speech_generation(model_id, await self.apost(path, body, accept), body)

    def transcribe(self, model_id, audio, *, filename="clip.wav", mime_type="audio/wav", language=""):
        if not self.transcriptions_path:
            return super().transcribe(model_id, audio, filename=filename, mime_type=mime_type, language=language)
        fields = {"model": model_id, "response_format": "json", **({"language": language} if language else {})}
        with self.client(invoking=True) as client:
            reply = self.request(
                client, "POST", self.url(self.transcriptions_path), data=fields,
                files={"file": (filename, bytes(audio), mime_type)},
            )
        data = self.decode_json(reply)
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise self.unusable(reply, _("a transcript"))
        return Transcription(self.id, model_id, text.strip(), language=str(data.get("language") or ""), raw=data)

    def moderate(self, model_id: str, text: str) -> Moderation:
        if guard.is_guard(model_id) and self.chat_path:
            return self.guard_moderation(model_id, text)
        if not self.moderations_path:
            return super().moderate(model_id, text)
        data, reply = self.post_json(self.moderations_path, {"model": model_id, "input": text})
        try:
            result = data["results"][0]
            flagged = result["flagged"]
            categories = {str(name): bool(value) for name, value in (result.get("categories") or {}).items()}
            scores = {str(name): float(value) for name, value in (result.get("category_scores") or {}).items()}
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            flagged = None
        if not isinstance(flagged, bool):
            raise self.unusable(reply, _("a moderation result"))
        return Moderation(self.id, model_id, flagged, categories, scores, raw=data)

    def guard_moderation(self, model_id: str, text: str) -> Moderation:
        """A guard model's verdict on ``text``, asked through chat completions (see ``guard``)."""
        reply = self.post(*self.chat_request(model_id, guard.messages(model_id, text), {}))
        answer = self.chat_generation(model_id, reply)
        verdict = guard.read_verdict(answer.text)
        if verdict is None:
            raise self.unusable(reply, _("a guard model's verdict (safe or unsafe)"))
        flagged, categories, scores = verdict
        return Moderation(self.id, model_id, flagged, categories, scores, raw={**answer.raw, "verdict": answer.text})

    def rerank(self, model_id: str, query: str, documents: list[str]) -> Ranking:
        if not self.rerank_path:
            return super().rerank(model_id, query, documents)
        body = {"model": model_id, "query": query, "documents": list(documents)}
        data, reply = self.post_json(self.rerank_path, body)
        try:
            results = [
                Ranked(int(row["index"]), float(row.get("relevance_score", row.get("score"))))
                for row in data["results"]
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            results = []
        if not results or any(not 0 <= item.index < len(documents) for item in results):
            raise self.unusable(reply, _("a ranking of the documents"))
        results.sort(key=lambda item: item.score, reverse=True)
        return Ranking(self.id, model_id, results, raw={key: value for key, value in data.items() if key != "results"})
