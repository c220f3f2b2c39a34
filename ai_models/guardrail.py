"""Deprecated since 0.2: the price ceilings now live in ``ai_models.activation.ceilings``, and the
rule applying them is the ``ceiling`` gate (``ai_models.activation.GATES``). These names stay."""

from .activation.ceilings import PERMISSION, SIDES, Excess, can_exceed, ceilings, describe, excesses, parse_ceilings

__all__ = ["PERMISSION", "SIDES", "Excess", "can_exceed", "ceilings", "describe", "excesses", "parse_ceilings"]
