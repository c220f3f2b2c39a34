"""Deprecated since 0.2: the activation functions under their 0.1 names, returning the ``AIModel``.

Use ``ai_models.activation`` (docs/api.md, "Changing what serves a capability"): its functions
return a ``Change`` (``.model``, ``.previous``, ``.replaced``, ``.plan``) and take the gates to
override as ``overrides={"requirements", "embedding", ...}``. These pass ``override_requirements``
and ``confirm_embedding_switch`` on as those overrides; every gate applies, as everywhere.
"""

import warnings

from . import activation
from .active import get_active_model, get_active_models
from .activation import deactivate, set_fallbacks

__all__ = ["activate", "deactivate", "get_active_model", "get_active_models", "reactivate", "save", "set_fallbacks"]


def _overrides(name, overrides, override_requirements, confirm_embedding_switch) -> set:
    warnings.warn(f"ai_models.selection.{name} is deprecated: use ai_models.activation.{name} (docs/upgrading.md).",
                  DeprecationWarning, stacklevel=3)
    return {*overrides, *(["requirements"] if override_requirements else []),
            *(["embedding"] if confirm_embedding_switch else [])}


def activate(entry, capability, user=None, *, overrides=(), override_requirements=False,
             confirm_embedding_switch=False, **options):
    """``activation.activate(...).model``."""
    overrides = _overrides("activate", overrides, override_requirements, confirm_embedding_switch)
    return activation.activate(entry, capability, user, overrides=overrides, **options).model


def reactivate(row, user=None, *, overrides=(), override_requirements=False, confirm_embedding_switch=False,
               **options):
    """``activation.reactivate(...).model``."""
    overrides = _overrides("reactivate", overrides, override_requirements, confirm_embedding_switch)
    return activation.reactivate(row, user, overrides=overrides, **options).model


def save(entry, capability, user=None, **options):
    """``activation.save(...).model``."""
    _overrides("save", (), False, False)
    return activation.save(entry, capability, user, **options).model
