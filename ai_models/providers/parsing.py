"""Pure helpers shared by every ``parse_catalog``: prices, dates, sizes, untrusted text.

No I/O and no Django settings, so catalog parsing runs on a payload loaded from a file.
Each helper returns ``None`` (or an empty value) for anything it cannot make sense of:
one odd field never loses the whole model.
"""

import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from django.conf import settings

MAX_NAME = 255
MAX_DESCRIPTION = 2000
MAX_MODEL_ID = 255  # AIModel.model_id's max_length: a longer id could never be saved.
# The largest context windows published are ~10M tokens; anything far above is a bad value.
MAX_CONTEXT_WINDOW = 100_000_000
# A price above $1M per 1M tokens is a unit mix-up, not a price.
MAX_PRICE = Decimal(1_000_000)
PER_MILLION = Decimal(1_000_000)
# The largest real catalogs list a few thousand models; a list far longer costs minutes to
# parse and a gigabyte to hold, so it is refused as a whole.
MAX_MODELS = 20_000
# Real entries nest four or five levels; the raw dict is kept, copied and stored as JSON at
# activation, which a very deep one would break (RecursionError).
MAX_RAW_DEPTH = 32

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BAD_ID = re.compile(r"[\s\x00-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def translate(message: str) -> str:
    """``gettext(message)`` when Django is configured, else the message as written."""
    if settings.configured:
        from ..exceptions import Told

        return Told(message)
    return message


def check_raw(item) -> None:
    """``ValueError`` when an entry nests deeper than ``MAX_RAW_DEPTH`` or holds a lone surrogate.

    Either would break the entry later (stored as JSON, copied, shown), so it is skipped
    now, alone, and counted with the malformed ones.
    """
    pending = [(item, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ValueError("a lone surrogate in the entry")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_RAW_DEPTH:
            raise ValueError("the entry nests too deep")
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            pending.append((key, depth))
            pending.append((child, depth + 1))


def model_id(value) -> str:
    """A usable model id, or ``ValueError`` (the entry is then skipped as malformed)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_MODEL_ID or _BAD_ID.search(value):
        raise ValueError("model id")
    return value


def optional_model_id(value) -> str:
    """A model id the entry refers to (a successor, say), or "" when absent or unusable."""
    try:
        return model_id(value)
    except ValueError:
        return ""


def text(value, limit: int = MAX_DESCRIPTION) -> str:
    """Untrusted provider text as a plain string: no control characters, at most ``limit`` characters."""
    if value is None:
        return ""
    value = _CONTROL.sub("", value if isinstance(value, str) else str(value)).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def name(value, fallback: str) -> str:
    """A one-line display name (at most 255 characters), or ``fallback``."""
    return text(_WHITESPACE.sub(" ", value) if isinstance(value, str) else value, MAX_NAME) or fallback


def context_window(value) -> int | None:
    """A positive, plausible token count, or ``None``."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= MAX_CONTEXT_WINDOW else None


def _tidy(number: Decimal) -> Decimal:
    # Decimal("0.0000014") * 1e6 is Decimal("1.4000000"): drop the noise, keep it exact.
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def price(value, *, per_token: bool = False) -> Decimal | None:
    """USD per 1M tokens as an exact ``Decimal``; ``None`` when unknown or variable.

    ``per_token`` multiplies a per-token price (OpenRouter's strings) by 1,000,000. Negative
    values (OpenRouter's ``"-1"`` means "varies") and absurd ones give ``None``.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(value if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or number < 0:
        return None
    if per_token:
        number *= PER_MILLION
    return _tidy(number) if number <= MAX_PRICE else None


def timestamp(value) -> datetime | None:
    """An aware UTC datetime from Unix seconds or an ISO 8601 string, or ``None`` (also for 0, which
    servers such as Cerebras send when they do not know)."""
    if value is None or value == "" or value == 0 or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, tz=timezone.utc)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def day(value) -> date | None:
    """A date from ``YYYY-MM-DD`` (or a longer ISO timestamp), or ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def modalities(value) -> tuple[str, ...]:
    """Lower-case modality names from a list, or from OpenRouter's old ``"text+image->text"`` side."""
    if isinstance(value, str):
        value = value.split("+")
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(dict.fromkeys(item.strip().lower() for item in value if isinstance(item, str) and item.strip()))


def names(value) -> tuple[str, ...]:
    """Names from a list of strings (OpenRouter's ``supported_parameters``), as given, deduplicated."""
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(dict.fromkeys(item.strip() for item in value if isinstance(item, str) and item.strip()))
