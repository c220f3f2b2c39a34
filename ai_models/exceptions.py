"""The exceptions django-ai-models raises (all derive from ``AIModelsError``), and how to
show or log an error without the API key in it."""

import traceback


def redact(text: str, secret: str) -> str:
    """``text`` with ``secret`` (an API key) blanked out, should a backend ever echo it."""
    return text.replace(secret, "[redacted]") if secret and len(secret) >= 4 else text


def log_unexpected(logger, message: str, error: BaseException, secret: str = ""):
    """Log ``error`` with its traceback, the key redacted: third-party code may quote it."""
    details = "".join(traceback.format_exception(error))
    logger.error("%s\n%s", message, redact(details, secret))


class AIModelsError(Exception):
    """Base class of every error raised by django-ai-models."""


class UnknownCapability(AIModelsError, ValueError):
    """A capability name that is not configured."""

    def __init__(self, capability, valid):
        self.capability = capability
        self.valid = list(valid)
        super().__init__(
            f"Unknown capability {capability!r}. Valid capabilities: {', '.join(self.valid)} "
            "(configure them in AI_MODELS['CAPABILITIES'])."
        )


class NoActiveModel(AIModelsError, LookupError):
    """No model is active for the capability asked for."""

    def __init__(self, capability):
        self.capability = capability
        super().__init__(
            f"No active AI model for capability {capability!r}. Activate one in the Django admin "
            "(AI models › Browse catalog › Activate) or run "
            f"`manage.py ai_models activate PROVIDER MODEL_ID --capability {capability}`."
        )


class ActivationError(AIModelsError):
    """An activation could not be carried out; nothing was changed."""


class RequirementsNotMet(ActivationError):
    """The model does not meet its capability's requirements and no override was given."""

    def __init__(self, message, checks):
        self.checks = list(checks)  # the ``requirements.RequirementCheck`` objects not met
        super().__init__(message)


class EmbeddingSwitchUnconfirmed(ActivationError):
    """Another embedding model would replace the active one, and that was not confirmed."""

    def __init__(self, message, switch):
        self.switch = switch  # the ``embedding_guard.EmbeddingSwitch``
        super().__init__(message)


class EncryptionError(AIModelsError):
    """A stored API key cannot be encrypted or decrypted with the configured keys."""


class ProviderError(AIModelsError):
    """A provider call failed. Names the provider; never contains the API key."""

    def __init__(self, provider, message, *, status=None, excerpt=None):
        self.provider = provider
        self.status = status
        self.excerpt = excerpt
        text = f"{provider}: {message}"
        if status is not None:
            text += f" (HTTP {status})"
        if excerpt:
            text += f": {excerpt}"
        super().__init__(text)


class ProviderAuthError(ProviderError):
    """The provider rejected the API key (401/403) or one is needed and missing."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached, timed out, or kept failing (429/5xx)."""


class ProviderResponseError(ProviderError):
    """The provider answered with something we cannot use (not JSON, wrong shape, too large)."""


class ProviderUnsupported(ProviderError):
    """The provider backend cannot do what was asked (e.g. speech on a chat-only API)."""


class UnknownProvider(AIModelsError, LookupError):
    """No provider class is registered under the id."""
