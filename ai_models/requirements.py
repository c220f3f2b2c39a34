"""What a capability may require of its model, checked against the catalog entry. Pure.

``AI_MODELS["CAPABILITIES"][name]["requires"]`` may hold:

- ``input_modalities``: modalities the model must accept (``["image"]`` for vision);
- ``parameters``: request parameters it must support (``["tools", "response_format"]``), as
  OpenRouter lists them in ``supported_parameters``;
- ``min_context``: the smallest context window, in tokens;
- ``max_price``: ``{"input": ..., "output": ...}``, USD per 1M tokens.

Each requirement is *met*, *not met*, or *unknown* when neither the provider nor a model-facts
dataset says. A value a dataset completed (``ai_models.facts``) is judged like the provider's,
and the message names the dataset.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from .prices import parse, usd

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
KEYS = ("input_modalities", "parameters", "min_context", "max_price")
PRICE_SIDES = ("input", "output")
# A parameter asked for is also met by the names providers use for the same feature.
PARAMETER_ALIASES = {
    "response_format": ("response_format", "structured_outputs"),
    "structured_outputs": ("structured_outputs", "response_format"),
    "structured_output": ("structured_outputs", "response_format"),
    "reasoning": ("reasoning", "include_reasoning", "reasoning_effort"),
}


@dataclass(frozen=True)
class RequirementCheck:
    """One requirement of a capability and how a model stands against it."""

    key: str  # one of KEYS
    state: str  # MET | UNMET | UNKNOWN
    message: str  # what is required and what the model offers, translated

    @property
    def met(self) -> bool:
        return self.state == MET


def problems(requires) -> list[str]:
    """English sentences on what is wrong with a ``requires`` value (check E013); [] when valid."""
    if not isinstance(requires, dict):
        return [f"must be a dict, not {type(requires).__name__}"]
    found = [f"has {key!r}; known requirements: {', '.join(KEYS)}" for key in requires if key not in KEYS]
    for key in ("input_modalities", "parameters"):
        value = requires.get(key, [])
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) and item for item in value):
            found.append(f"{key!r} must be a list of names")
    minimum = requires.get("min_context", 0)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        found.append("'min_context' must be a whole number of tokens")
    prices = requires.get("max_price", {})
    if not isinstance(prices, dict) or set(prices) - set(PRICE_SIDES):
        found.append("'max_price' must map 'input' and/or 'output' to a price")
    elif any(parse(value) is None for value in prices.values()):
        found.append("'max_price' prices must be non-negative numbers (USD per 1M tokens)")
    return found


def _names(values) -> str:
    return ", ".join(values)


def _missing(wanted, offered, aliases=None) -> list[str]:
    offered = set(offered)
    return [name for name in wanted if not offered & set((aliases or {}).get(name, (name,)))]


def _from(sources) -> str:
    """" (from models.dev 2026-05-21)" when a dataset gave a value judged, else ""."""
    found = ", ".join(sorted({source for source in sources if source}))
    return " " + gettext("(from %(source)s)") % {"source": found} if found else ""


def _listed(key, wanted, offered, aliases=None, source="") -> RequirementCheck:
    labels = {"input_modalities": gettext("input modalities"), "parameters": gettext("supported parameters")}
    values = {"what": labels[key], "wanted": _names(wanted)}
    if not offered:
        return RequirementCheck(key, UNKNOWN, gettext("%(what)s %(wanted)s: the provider does not list them") % values)
    missing = _missing(wanted, offered, aliases)
    if missing:
        values["missing"] = _names(missing)
        return RequirementCheck(key, UNMET, gettext("%(what)s %(wanted)s: lacks %(missing)s") % values + _from([source]))
    return RequirementCheck(key, MET, gettext("%(what)s %(wanted)s") % values + _from([source]))


def _context(minimum: int, window, source="") -> RequirementCheck:
    values = {"minimum": f"{minimum:,}", "window": f"{window:,}" if window else ""}
    if not window:
        return RequirementCheck(
            "min_context", UNKNOWN, gettext("context of at least %(minimum)s tokens: the window is unknown") % values
        )
    if window < minimum:
        return RequirementCheck(
            "min_context", UNMET,
            gettext("context of at least %(minimum)s tokens: has %(window)s") % values + _from([source]),
        )
    return RequirementCheck("min_context", MET,
                            gettext("context of at least %(minimum)s tokens") % values + _from([source]))


def _price(prices: dict, entry) -> RequirementCheck:
    limits = {side: parse(value) for side, value in prices.items() if side in PRICE_SIDES}
    actual = {"input": entry.input_price, "output": entry.output_price}
    completed = _from(entry.source_of(f"{side}_price") for side in limits if actual[side] is not None)
    text = "; ".join(
        (gettext("input at most %(price)s") if side == "input" else gettext("output at most %(price)s"))
        % {"price": usd(limit)}
        for side, limit in limits.items()
    )
    above = [side for side, limit in limits.items() if actual[side] is not None and actual[side] > limit]
    if above:
        costs = "; ".join(f"{side} {usd(actual[side])}" for side in above)
        message = gettext("price per 1M tokens %(limits)s: costs %(costs)s") % {"limits": text, "costs": costs}
        return RequirementCheck("max_price", UNMET, message + completed)
    if any(actual[side] is None for side in limits):
        message = gettext("price per 1M tokens %(limits)s: the price is unknown") % {"limits": text}
        return RequirementCheck("max_price", UNKNOWN, message)
    return RequirementCheck("max_price", MET, gettext("price per 1M tokens %(limits)s") % {"limits": text} + completed)


def check(entry, requires: dict) -> list[RequirementCheck]:
    """How catalog ``entry`` stands against each requirement in ``requires`` (in ``KEYS`` order)."""
    requires = requires or {}
    checks = []
    source = entry.source_of
    if requires.get("input_modalities"):
        checks.append(_listed("input_modalities", requires["input_modalities"], entry.input_modalities,
                              source=source("input_modalities")))
    if requires.get("parameters"):
        checks.append(_listed("parameters", requires["parameters"], entry.parameters, PARAMETER_ALIASES,
                              source=source("parameters")))
    if requires.get("min_context"):
        checks.append(_context(int(requires["min_context"]), entry.context_window, source("context_window")))
    if requires.get("max_price"):
        checks.append(_price(requires["max_price"], entry))
    return checks


def meets(entry, requires: dict) -> bool:
    """Whether ``entry`` is known to meet every requirement (unknown ones do not count as met)."""
    return all(item.met for item in check(entry, requires))


def standing(entry, requires: dict) -> str:
    """MET when ``entry`` is known to meet every requirement, UNMET when it fails one, else UNKNOWN."""
    checks = check(entry, requires)
    if unmet(checks):
        return UNMET
    return UNKNOWN if unknown(checks) else MET


def unmet(checks) -> list[RequirementCheck]:
    return [item for item in checks if item.state == UNMET]


def unknown(checks) -> list[RequirementCheck]:
    return [item for item in checks if item.state == UNKNOWN]


def log_note(checks) -> str:
    """The requirements overridden, for the admin history (English, like the rest of its messages)."""
    return "requirements not met, overridden: " + ", ".join(item.key for item in unmet(checks))
