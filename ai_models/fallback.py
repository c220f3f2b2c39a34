"""Calling a capability's model with its fallback chain: the next model stands in when one fails.

``call_with_fallback("chat", lambda model, backend: backend.chat(model.model_id, messages))``
calls the active model and, when the provider is unavailable (timeout, connection error),
answers 429 or 5xx, or answers 2xx with something unusable (not JSON, too large, a bomb), each
fallback in order, logging every fallback taken. Any other error (a rejected key, a refused
request) is raised at once: another model would not fix it.
"""

import logging

from .active import aget_active_models, get_active_models
from .exceptions import ProviderError, ProviderResponseError, ProviderUnavailable

logger = logging.getLogger("ai_models")


def falls_back(error: Exception) -> bool:
    """Whether the next model of the chain should be tried after ``error``."""
    if isinstance(error, ProviderUnavailable):
        return True
    status = getattr(error, "status", None)
    if isinstance(error, ProviderResponseError) and status is not None and 200 <= status < 300:
        return True  # the provider answered, but nothing usable: another one may
    return isinstance(error, ProviderError) and status is not None and (status == 429 or status >= 500)


def _fall_back(capability, chain, index, error):
    """Log the fallback from ``chain[index]``, or raise ``error`` when it is final."""
    if index == len(chain) - 1 or not falls_back(error):
        raise error
    failed, following = chain[index], chain[index + 1]
    logger.warning(
        "AI models: %s:%s failed for %s (%s); falling back to %s:%s.",
        failed.provider.slug, failed.model_id, capability, error, following.provider.slug, following.model_id,
    )


def call_with_fallback(capability: str, call):
    """``call(model, backend)`` through the chain of ``capability``; the first answer.

    Raises ``NoActiveModel`` when nothing is active, and the last model's error when every model
    of the chain failed (or the first error that a fallback would not fix).
    """
    chain = get_active_models(capability)
    for index, model in enumerate(chain):
        try:
            return call(model, model.get_backend())
        except ProviderError as error:
            _fall_back(capability, chain, index, error)


async def acall_with_fallback(capability: str, call):
    """``call_with_fallback`` for async code: ``await call(model, backend)`` (``backend.achat(...)``)."""
    chain = await aget_active_models(capability)
    for index, model in enumerate(chain):
        try:
            return await call(model, model.get_backend())
        except ProviderError as error:
            _fall_back(capability, chain, index, error)
