"""Settings presets for well-known OpenAI-compatible servers, served by the generic class.

Name one as a provider's ``CLASS`` (or use its name as the provider id) and its options are the
defaults: ``AI_MODELS["PROVIDERS"] = {"xai": {}}`` or ``{"gpu-box": {"CLASS": "ollama",
"BASE_URL": "http://gpu-box:11434/v1"}}``. Options given in settings win. Local servers speak
plain http: add their host and port (``"127.0.0.1:11434"``) to ``AI_MODELS["ALLOWED_HTTP_HOSTS"]``.
"""

GENERIC = "openai_compatible"

PRESETS = {
    "ollama": {
        "NAME": "Ollama",
        "BASE_URL": "http://127.0.0.1:11434/v1",
        "API_KEY_ENV": "OLLAMA_API_KEY",  # only for a proxy in front of it; a local Ollama takes none
        "ENDPOINTS": ("chat", "embeddings"),
    },
    "vllm": {
        "NAME": "vLLM",
        "BASE_URL": "http://127.0.0.1:8000/v1",
        "API_KEY_ENV": "VLLM_API_KEY",  # the server's --api-key, when it was started with one
        "ENDPOINTS": ("chat", "embeddings"),
    },
    "lmstudio": {
        "NAME": "LM Studio",
        "BASE_URL": "http://127.0.0.1:1234/v1",
        "API_KEY_ENV": "LM_API_TOKEN",  # when authentication is switched on in LM Studio
        "ENDPOINTS": ("chat", "embeddings"),
    },
    "xai": {
        "NAME": "xAI",
        "BASE_URL": "https://api.x.ai/v1",
        "API_KEY_ENV": "XAI_API_KEY",
        "ENDPOINTS": ("chat", "images"),
    },
    "together": {
        "NAME": "Together AI",
        "BASE_URL": "https://api.together.xyz/v1",
        "API_KEY_ENV": "TOGETHER_API_KEY",
        "ENDPOINTS": ("chat", "embeddings", "images", "speech"),
    },
    "nvidia": {
        "NAME": "NVIDIA",
        "BASE_URL": "https://integrate.api.nvidia.com/v1",
        "API_KEY_ENV": "NVIDIA_API_KEY",
        "ENDPOINTS": ("chat", "embeddings"),
    },
    "cerebras": {
        "NAME": "Cerebras",
        "BASE_URL": "https://api.cerebras.ai/v1",
        "API_KEY_ENV": "CEREBRAS_API_KEY",
        "ENDPOINTS": ("chat",),
    },
}
