"""Drift watch: how each active model stands against its provider's live catalog.

An active model is flagged when it has disappeared from its provider's catalog, when its
expiry or deprecation date has passed or falls within ``AI_MODELS["DRIFT_EXPIRY_DAYS"]``, or when its price
or capabilities changed since activation (``AIModel.metadata`` keeps the catalog entry as it
was then). ``compare`` decides, with no I/O.

``active_drift`` reads only what the catalog cache holds (``catalog.cached_entries``), so the
admin banner, ``manage.py check`` and ``ai_models active`` never wait on a provider. A model
whose provider has no good list cached is *unknown* (only its known expiry date is checked),
never "disappeared". ``manage.py ai_models watch`` fetches the catalogs first.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from . import catalog
from .active import current_version
from .capabilities import capability_label
from .catalog.criteria import expiry_state
from .conf import ai_settings
from .memos import remember
from .models import AIModel
from .prices import usd
from .providers.base import CatalogModel
from .visible import visible

logger = logging.getLogger(__name__)

DISAPPEARED = "disappeared"
EXPIRED = "expired"
EXPIRING = "expiring"
PRICE = "price"
CAPABILITY_LOST = "capability_lost"
KINDS = (DISAPPEARED, EXPIRED, EXPIRING, PRICE, CAPABILITY_LOST)
# Activating the same model again accepts these (its stored catalog entry is refreshed); the
# others stay until another model is chosen.
ACCEPTABLE = (PRICE, CAPABILITY_LOST)


@dataclass(frozen=True)
class Flag:
    """One way an active model has drifted: its kind (see ``KINDS``), a sentence saying how, and the
    model its provider names as replacement (``successor``, "" when it names none)."""

    kind: str
    message: str
    successor: str = ""


@dataclass
class Drift:
    """An active model and its flags. ``checked``: its provider's catalog was in the cache."""

    model: object  # AIModel, provider loaded
    flags: list = field(default_factory=list)
    checked: bool = True

    @property
    def is_fallback(self) -> bool:
        """A member of its capability's fallback chain rather than the active model."""
        return not self.model.is_active

    @property
    def state(self) -> str:
        """"flagged", "unknown" (nothing flagged, but the catalog could not be consulted) or "ok"."""
        if self.flags:
            return "flagged"
        return "ok" if self.checked else "unknown"

    @property
    def acceptable(self) -> bool:
        """Whether activating the same model again clears every flag (price, capabilities)."""
        return bool(self.flags) and all(flag.kind in ACCEPTABLE for flag in self.flags)

    @property
    def summary(self) -> str:
        """The flags' sentences, joined."""
        return "; ".join(flag.message for flag in self.flags)

    @property
    def successor(self) -> str:
        """The replacement the provider names for this model ("" when none): what to activate next."""
        return next((flag.successor for flag in self.flags if flag.successor), "")


PRICE_MESSAGES = {  # (side, went up) -> message
    ("input", True): gettext_noop("input price up from %(old)s to %(new)s per 1M tokens"),
    ("input", False): gettext_noop("input price down from %(old)s to %(new)s per 1M tokens"),
    ("output", True): gettext_noop("output price up from %(old)s to %(new)s per 1M tokens"),
    ("output", False): gettext_noop("output price down from %(old)s to %(new)s per 1M tokens"),
}


def _with_successor(kind: str, message: str, successor: str) -> Flag:
    if successor:
        message = gettext("%(flag)s; replacement: %(model)s") % {"flag": message, "model": visible(successor)}
    return Flag(kind, message, successor)


def expiry_flag(expires: date | None, today: date | None = None, window_days: int | None = None,
                successor: str = "") -> Flag | None:
    """The EXPIRED or EXPIRING flag of a model with this expiry date, or None. Pure given ``today``.

    Expiring: within ``window_days`` (default ``AI_MODELS["DRIFT_EXPIRY_DAYS"]``); expired: the
    date has passed (a model expiring today still answers today).
    """
    if expires is None:  # most models: no date to judge, no clock or setting to read
        return None
    today = today or timezone.localdate()
    window_days = ai_settings.DRIFT_EXPIRY_DAYS if window_days is None else window_days
    state = expiry_state(expires, today, window_days)
    if state == "none":
        return None
    days = (expires - today).days
    if state == "expired":
        return _with_successor(EXPIRED, gettext("expired on %(date)s") % {"date": expires.isoformat()}, successor)
    if days == 0:
        message = gettext("expires today (%(date)s)") % {"date": expires.isoformat()}
    else:
        message = ngettext(
            "expires on %(date)s, in %(days)d day", "expires on %(date)s, in %(days)d days", days
        ) % {"date": expires.isoformat(), "days": days}
    return _with_successor(EXPIRING, message, successor)


def compare(activated: CatalogModel, current, *, listed: bool, today: date, window_days: int, allowed) -> list[Flag]:
    """The flags of one active model. Pure.

    ``activated``: its catalog entry at activation; ``current``: its entry in the provider's
    cached list, or None when absent; ``listed``: whether a good list of the provider was
    consulted at all (without one, absence proves nothing); ``allowed``: the configured
    capabilities (only those are compared).
    """
    flags = []
    # The provider's latest word on a replacement; the one known at activation once it is gone.
    successor = (current.successor if current is not None else "") or activated.successor
    if listed and current is None:
        gone = gettext("no longer in the %(provider)s catalog") % {"provider": activated.provider}
        flags.append(_with_successor(DISAPPEARED, gone, successor))
    expires = current.expires if current is not None and current.expires else activated.expires
    if expiry := expiry_flag(expires, today, window_days, successor):
        flags.append(expiry)
    if current is None:
        return flags
    for side, old, new in (
        ("input", activated.input_price, current.input_price),
        ("output", activated.output_price, current.output_price),
    ):
        if old is not None and new is not None and old != new:
            message = gettext(PRICE_MESSAGES[(side, new > old)])
            flags.append(Flag(PRICE, message % {"old": usd(old), "new": usd(new)}))
    lost = [name for name in allowed if name in activated.capabilities and name not in current.capabilities]
    if lost:
        labels = ", ".join(capability_label(name) for name in lost)
        flags.append(Flag(CAPABILITY_LOST, gettext("no longer classified for %(capabilities)s") % {"capabilities": labels}))
    return flags


# (inputs, drifts) of the last computation in this process; see ``active_drift``.
_last: list = [None, None]


def active_drift(*, using: str = DEFAULT_DB_ALIAS, today: date | None = None) -> list[Drift]:
    """A ``Drift`` for every active model of a configured capability, in settings order, then one
    for every fallback (``Drift.is_fallback``), in chain order.

    Reads the database and the catalog cache; never fetches. A cache that cannot be read
    leaves every model unknown rather than failing. The banner asks on every admin page of
    the app, so the answer is remembered until an active model or a cached catalog changes
    (tokens shared by every process), the day turns, or the language differs.
    """
    today = today or timezone.localdate()
    try:
        tokens = (current_version(), catalog.epoch())
    except Exception:  # the cache is down: compute, remember nothing
        tokens = (None, None)
    inputs = (using, today, get_language(), *tokens)
    if None not in tokens and _last[0] == inputs:
        return _last[1]
    drifts = _active_drift(using, today)
    _last[:] = [inputs, drifts]
    return drifts


@remember
def forget():
    """Drop the remembered drift (tests; settings changes)."""
    _last[:] = [None, None]


def _active_drift(using, today):
    capabilities = list(ai_settings.CAPABILITIES)
    in_use = (
        AIModel.objects.using(using)
        .select_related("provider")
        .filter(capability__in=capabilities)
        .in_use()
    )
    rows = sorted(
        in_use, key=lambda row: (not row.is_active, capabilities.index(row.capability), row.fallback_position or 0)
    )
    if not rows:
        return []
    try:
        cached = catalog.cached_entries((row.provider.slug, row.model_id) for row in rows)
    except Exception:  # the cache is down: report what the database alone tells
        logger.warning("Drift watch: the catalog cache could not be read", exc_info=True)
        cached = {}
    window = ai_settings.DRIFT_EXPIRY_DAYS
    drifts = []
    for row in rows:
        key = (row.provider.slug, row.model_id)
        listed = key in cached
        flags = compare(
            row.catalog_entry(),
            cached.get(key),
            listed=listed,
            today=today,
            window_days=window,
            allowed=capabilities,
        )
        drifts.append(Drift(row, flags, checked=listed))
    return drifts
