"""Capabilities: the jobs a host chooses a model *for*, each of a kind.

A **kind** is the call a model answers (chat completions, text-to-image, ...). Providers
classify their models into kinds (``ai_models.classification``); a capability names a job of
the host (``chat``, ``content``, ``summaries``...) with a label, a kind and optional
requirements (``ai_models.requirements``), and is offered every model of its kind.
"""

import copy
from dataclasses import dataclass, field

from .conf import ai_settings
from .exceptions import UnknownCapability
from .memos import remember


def gettext_noop(message: str) -> str:
    """Mark ``message`` for ``makemessages``. Unlike Django's, it never reads settings, so
    the rules import (and parsing runs) without a configured project."""
    return message


CHAT, IMAGE, SPEECH, TRANSCRIPTION = "chat", "image", "speech", "transcription"
EMBEDDING, MODERATION, RERANK, VIDEO = "embedding", "moderation", "rerank", "video"

KINDS = {
    CHAT: gettext_noop("chat completions"),
    IMAGE: gettext_noop("text-to-image"),
    SPEECH: gettext_noop("text-to-speech"),
    TRANSCRIPTION: gettext_noop("speech-to-text"),
    EMBEDDING: gettext_noop("embedding"),
    MODERATION: gettext_noop("moderation"),
    RERANK: gettext_noop("rerank"),
    VIDEO: gettext_noop("text-to-video"),
}
"""Kind -> what its models do (untranslated; show it through ``gettext``)."""

# Names older catalog entries (activation metadata, snapshot files) used for kinds.
LEGACY_KIND_NAMES = {"content": CHAT, "audio": SPEECH}


def as_kind(name: str) -> str | None:
    """The kind ``name`` stands for ("audio" -> "speech"), or ``None`` when it is none."""
    name = LEGACY_KIND_NAMES.get(name, name)
    return name if name in KINDS else None


@dataclass(frozen=True)
class Capability:
    """One configured capability: its name, label, kind and requirements."""

    name: str
    label: str
    kind: str | None  # None: not a known kind (check E012)
    requires: dict = field(default_factory=dict)


# (the setting's value, a copy to tell an in-place change, what it gave, its (name, kind) pairs):
# the admin asks for the kind of every capability of every row of a page, the API for the pairs.
_last: list = [None, None, None, None]


def _forget():
    _last[:] = [None, None, None, None]


remember(_forget)


def configured() -> dict[str, Capability]:
    """Name -> ``Capability`` for every capability in ``AI_MODELS["CAPABILITIES"]``, in order.

    Shared: do not change the answer.
    """
    raw = ai_settings._get("CAPABILITIES")
    if _last[0] is raw and _last[1] == raw:
        return _last[2]
    found = {
        name: Capability(name, declared["label"], declared["kind"] if declared["kind"] in KINDS else None,
                         declared["requires"] if isinstance(declared["requires"], dict) else {})
        for name, declared in ai_settings.CAPABILITY_DECLARATIONS.items()
    }
    _last[:] = [raw, copy.deepcopy(raw), found, tuple((name, capability.kind) for name, capability in found.items())]
    return found


def configured_kinds() -> frozenset:
    """The kinds of the configured capabilities."""
    return frozenset(capability.kind for capability in configured().values() if capability.kind)


def capability_choices() -> list[tuple[str, str]]:
    """(name, label) pairs of the configured capabilities, for forms and filters."""
    return list(ai_settings.CAPABILITIES.items())


def capability_label(name: str) -> str:
    """Human label of a capability, or the name itself when it is not configured."""
    return str(ai_settings.CAPABILITIES.get(name, name))


def capability_kind(name: str) -> str | None:
    """The kind of a configured capability, or ``None``."""
    capability = configured().get(name)
    return capability.kind if capability else None


def validate_capability(name: str) -> str:
    """Return ``name`` if it is a configured capability; raise ``UnknownCapability`` if not."""
    capabilities = ai_settings.CAPABILITIES
    if name not in capabilities:
        raise UnknownCapability(name, capabilities)
    return name


def offered_for(kinds, capabilities) -> frozenset:
    """The names among ``capabilities`` ((name, kind) pairs) a model of ``kinds`` is offered for."""
    return frozenset(name for name, kind in capabilities if kind in kinds)


def allowed() -> tuple:
    """The configured capabilities as (name, kind) pairs, for ``offered_for``."""
    configured()  # brings ``_last`` up to date
    return _last[3]


def kinds_from_legacy(names, reasons: dict) -> tuple[frozenset, dict]:
    """``(kinds, kind -> reason)`` from capability names and reasons, as entries saved before
    kinds existed hold them (``content`` and ``audio`` become ``chat`` and ``speech``)."""
    kinds, kind_reasons = set(), {}
    for name in names:
        kind = as_kind(name)
        if kind:
            kinds.add(kind)
            kind_reasons.setdefault(kind, reasons.get(name, ""))
    return frozenset(kinds), kind_reasons
