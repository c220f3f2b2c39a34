"""DeepSeek: ``GET https://api.deepseek.com/models`` (text models; chat is its only call)."""

from .openai_compatible import OpenAICompatibleProvider


class DeepSeekProvider(OpenAICompatibleProvider):
    """DeepSeek's chat and reasoning models."""

    id = "deepseek"
    name = "DeepSeek"
    default_base_url = "https://api.deepseek.com"
    api_key_env = "DEEPSEEK_API_KEY"
