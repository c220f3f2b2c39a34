"""OpenAI: ``GET https://api.openai.com/v1/models`` (ids only); chat, embeddings, images, speech,
transcriptions and moderations (no rerank endpoint)."""

from .openai_compatible import OpenAICompatibleProvider


class OpenAIProvider(OpenAICompatibleProvider):
    """OpenAI's models, classified by id (gpt-image-*, tts-*, whisper-*, ...)."""

    id = "openai"
    name = "OpenAI"
    default_base_url = "https://api.openai.com/v1"
    api_key_env = "OPENAI_API_KEY"
    token_limit_param = "max_completion_tokens"  # the name its chat completions take (max_tokens is deprecated)
    embeddings_path = "/embeddings"
    images_path = "/images/generations"
    speech_path = "/audio/speech"
    transcriptions_path = "/audio/transcriptions"
    moderations_path = "/moderations"
