"""The cost guardrail: a price ceiling per capability (``AI_MODELS["PRICE_CEILINGS"]``).

Activating a model priced above the ceiling of the capability it is activated for needs an
explicit confirmation and the ``ai_models.activate_above_ceiling`` permission; ``approve``
enforces both for the admin and the ``activate`` command. An unknown price never exceeds a ceiling: a provider
that publishes no prices (OpenAI's model list, say) cannot be judged, unless a model-facts dataset completed
it (``ai_models.facts``), and then the message names that dataset.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from .conf import ai_settings

PERMISSION = "ai_models.activate_above_ceiling"
SIDES = ("input", "output")


@dataclass(frozen=True)
class Excess:
    """One price of a model above the ceiling set for it: USD per 1M tokens."""

    side: str  # "input" | "output"
    price: Decimal
    ceiling: Decimal
    source: str = ""  # the model-facts dataset the price came from; "" for the provider's own

    def describe(self, format_price) -> str:
        """"input $8.00 per 1M tokens, above the ceiling of $5.00", prices shown by ``format_price``."""
        values = {"price": format_price(self.price), "ceiling": format_price(self.ceiling)}
        if self.side == "input":
            text = gettext("input %(price)s per 1M tokens, above the ceiling of %(ceiling)s") % values
        else:
            text = gettext("output %(price)s per 1M tokens, above the ceiling of %(ceiling)s") % values
        return text + from_facts(self.source)


def from_facts(source: str) -> str:
    """" (price from models.dev 2026-05-21)" for a price a dataset completed, else ""."""
    return " " + gettext("(price from %(source)s)") % {"source": source} if source else ""


def price_sources(entry) -> dict:
    """Side -> the dataset that completed a catalog entry's price ("" for the provider's own)."""
    return {side: entry.source_of(f"{side}_price") for side in SIDES}


def _decimal(value) -> Decimal | None:
    """``value`` as a finite, non-negative Decimal, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and number >= 0 else None


def parse_ceilings(value, capabilities) -> tuple[dict, list[str]]:
    """``(ceilings, problems)`` from a ``PRICE_CEILINGS`` value. Pure.

    ``ceilings``: capability -> {side: Decimal} for the valid parts; ``problems``: one English
    sentence per part that is not (reported by check E009).
    """
    if not isinstance(value, dict):
        return {}, [f"must be a dict of capability -> {{'input': price, 'output': price}}, not {type(value).__name__}"]
    ceilings, problems = {}, []
    for capability, sides in value.items():
        if capability not in capabilities:
            problems.append(f"{capability!r} is not a configured capability")
            continue
        if not isinstance(sides, dict):
            problems.append(f"{capability!r} must map 'input' and/or 'output' to a price")
            continue
        for side, price in sides.items():
            if side not in SIDES:
                problems.append(f"{capability!r} has {side!r}; only 'input' and 'output' are read")
                continue
            number = _decimal(price)
            if number is None:
                problems.append(f"{capability!r} {side} ceiling {price!r} is not a non-negative number")
                continue
            ceilings.setdefault(capability, {})[side] = number
    return ceilings, problems


def ceilings() -> dict:
    """Capability -> {side: Decimal}: the valid ceilings of the settings."""
    return parse_ceilings(ai_settings.PRICE_CEILINGS, ai_settings.CAPABILITIES)[0]


def excesses(capability: str, input_price, output_price, sources=None) -> list[Excess]:
    """The prices above ``capability``'s ceiling (none when no ceiling is set or a price is unknown);
    ``sources`` (``price_sources``) names the dataset of a completed price."""
    ceiling = ceilings().get(capability, {})
    found = []
    for side, price in zip(SIDES, (input_price, output_price)):
        if price is not None and side in ceiling and Decimal(price) > ceiling[side]:
            found.append(Excess(side, Decimal(price), ceiling[side], (sources or {}).get(side, "")))
    return found


class AboveCeiling(Exception):
    """Activation above a price ceiling that may not go ahead yet.

    ``permitted``: False when the user lacks the permission (refused whatever they confirm),
    True when they have it but have not confirmed.
    """

    def __init__(self, excess: list[Excess], permitted: bool):
        super().__init__(describe(excess, str))
        self.excess, self.permitted = excess, permitted


def approve(capability: str, input_price, output_price, user, *, confirmed: bool, sources=None) -> str:
    """The history note for activating a model at these prices for ``capability``: "" within the ceiling.

    The one rule of every way in (admin Activate, Saved models reactivate, the command line):
    above the ceiling, the user needs the permission and an explicit confirmation. Raises
    ``AboveCeiling`` otherwise.
    """
    excess = excesses(capability, input_price, output_price, sources)
    if not excess:
        return ""
    if not can_exceed(user) or not confirmed:
        raise AboveCeiling(excess, permitted=can_exceed(user))
    return log_note(excess)


def can_exceed(user) -> bool:
    """Whether ``user`` may activate a model above a price ceiling."""
    return user is not None and user.has_perm(PERMISSION)


def describe(excess: list[Excess], format_price) -> str:
    """Every excess of a model, joined for one message."""
    return "; ".join(item.describe(format_price) for item in excess)


def refusal(model_name: str, capability: str, excess: list[Excess], format_price) -> str:
    """Why activating a model above the ceiling is refused to a user without the permission."""
    from .capabilities import capability_label

    return gettext(
        "Refused: %(model)s is priced above the ceiling for %(capability)s (%(excess)s), and activating it "
        "needs the permission “Can activate a model priced above the ceiling”. Nothing was changed."
    ) % {"model": model_name, "capability": capability_label(capability), "excess": describe(excess, format_price)}


def log_note(excess: list[Excess]) -> str:
    """The excess for the admin history, in English like the rest of its messages."""
    from .drift import usd

    parts = ", ".join(f"{item.side} {usd(item.price)} > {usd(item.ceiling)}" + (f" [{item.source}]" if item.source else "")
                      for item in excess)
    return f"above the price ceiling ({parts} per 1M tokens)"
