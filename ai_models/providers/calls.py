"""The OpenAI-style endpoints beyond generation and embeddings: transcriptions, moderations, rerank.

A mixin for ``HTTPProvider`` subclasses (which embed through ``embeddings_path``): each provider
sets the paths it offers, and a call whose path is ``None`` raises ``ProviderUnsupported``. Errors are those of ``HTTPProvider``
(the same hierarchy as chat).
"""

from typing import ClassVar

from django.utils.translation import gettext as _

from .results import Moderation, Ranked, Ranking, Transcription


class OpenAIStyleCalls:
    """``transcribe``, ``moderate`` and ``rerank`` over OpenAI-style endpoints."""

    transcriptions_path: ClassVar[str | None] = None  # multipart file + model -> {text}
    moderations_path: ClassVar[str | None] = None  # POST {model, input} -> {results: [{flagged, ...}]}
    rerank_path: ClassVar[str | None] = None  # POST {model, query, documents} -> {results: [{index, relevance_score}]}

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
