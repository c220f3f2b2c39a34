"""Capability names and labels: what a model can be chosen *for*.

Classification rules (which catalog model qualifies for which capability) live here
too, as pure functions, so every provider classifies the same way.
"""

from .conf import ai_settings
from .exceptions import UnknownCapability


def capability_choices() -> list[tuple[str, str]]:
    """(name, label) pairs of the configured capabilities, for forms and filters."""
    return list(ai_settings.CAPABILITIES.items())


def capability_label(name: str) -> str:
    """Human label of a capability, or the name itself when it is not configured."""
    return str(ai_settings.CAPABILITIES.get(name, name))


def validate_capability(name: str) -> str:
    """Return ``name`` if it is a configured capability; raise ``UnknownCapability`` if not."""
    capabilities = ai_settings.CAPABILITIES
    if name not in capabilities:
        raise UnknownCapability(name, capabilities)
    return name
