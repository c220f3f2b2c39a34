"""Groq: ``GET https://api.groq.com/openai/v1/models`` (adds ``active`` and ``context_window``).

Calls: chat, speech and transcriptions; Groq offers no embeddings, moderation or rerank endpoint.
"""

from .openai_compatible import OpenAICompatibleProvider


class GroqProvider(OpenAICompatibleProvider):
    """Groq's models; inactive ones are left out, guard and speech-recognition models are not chat."""

    id = "groq"
    name = "Groq"
    default_base_url = "https://api.groq.com/openai/v1"
    api_key_env = "GROQ_API_KEY"
    token_limit_param = "max_completion_tokens"  # the name its chat completions take (max_tokens is deprecated)
    speech_path = "/audio/speech"
    transcriptions_path = "/audio/transcriptions"
