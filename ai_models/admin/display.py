"""Formatting shared by the admin pages: prices, labels, states. Provider text is always escaped.

The Browse catalog renders these for 100 rows a page from a few dozen distinct values, so the
pure ones are memoized per language (and forgotten when a test changes settings).
"""

import re
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import requirements
from ..capabilities import capability_label, configured
from ..conf import ai_settings
from ..memos import remember
from ..prices import format_price, grouped
from ..drift import EXPIRED, expiry_flag
from ..visible import visible


EMPTY = "—"  # one dash for every empty cell, the admins' ``empty_value_display`` too


@lru_cache(maxsize=4096)  # a page shows the same hundred ids on every request
def breakable_id(text: str) -> str:
    """A model id (already shown with ``visible``) that wraps only after "/", "-", "_" and ":", never
    mid-token."""
    return mark_safe(re.sub(r"([/:_-])", r"\1<wbr>", escape(text)))


def ltr(value) -> SafeString:
    """An id, a date, a price or an arrow isolated left to right: inside a Persian sentence the bidi
    algorithm would reorder it ("2026-12-20" read as "20-12-2026", "01-ai/chat" as "ai/chat-01")."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


# What must read left to right whatever the page's direction: a token holding a digit or "/" (a date,
# a price, an id, a version, "12.5%"), with the arrows or slashes between such tokens ("$0.40 → $2.00").
_TOKEN = r"\(?[+\-−]?[$€£]?[A-Za-z0-9](?:[A-Za-z0-9.,:/_+\-−$%@]*[A-Za-z0-9%)])?"
_LTR_RUN = re.compile(rf"{_TOKEN}(?:\s(?:→|/)\s{_TOKEN})*")


def isolate(text) -> SafeString:
    """Text written elsewhere (the drift watch, the history, an error) as HTML with each run that must
    read left to right isolated (``ltr``): in Persian, "2026-12-20" would otherwise read "20-12-2026".
    Markup is returned as it is: its values were isolated where it was built."""
    if isinstance(text, SafeData):
        return text
    text, parts, at = str(text), [], 0
    for match in _LTR_RUN.finditer(text):
        if re.search(r"[\d/]", match.group()):
            parts += [escape(text[at:match.start()]), ltr(match.group())]
            at = match.end()
    return mark_safe("".join([*parts, escape(text[at:])]))


def model_named(model) -> SafeString:
    """A saved model as a sentence names it: its display name, else its id (left to right), isolated.

    Isolated in HTML, a message also starts with markup, so Django's ``capfirst`` on messages never
    capitalises an id ("Fake-chat-large is now…").
    """
    if model.display_name:
        return format_html("<bdi>{}</bdi>", visible(model.display_name))
    return ltr(visible(model.model_id))


def code_list(names) -> SafeString:
    """Parameter or modality names as code, comma-separated: they read as written in any language."""
    return format_html_join(", ", '<code dir="ltr">{}</code>', ((name,) for name in names))


def sentence(text: str, **values) -> SafeString:
    """A translated sentence ``text % values`` as HTML: the text and plain values escaped, values given
    as markup (``ltr``, ``model_named``) kept; numbers stay numbers for ``%d``."""
    return mark_safe(conditional_escape(text) % {
        name: value if isinstance(value, (int, float, Decimal)) else conditional_escape(value)
        for name, value in values.items()
    })


def with_source(entry, field: str, text: str) -> str:
    """``text`` (an entry's ``field``, formatted) marked when a dataset completed it (its source on
    hover, "*" after it) or disagrees with the provider beyond the threshold (a "≠" flag)."""
    if not entry.facts and not entry.conflicts:  # most rows: the provider said it all
        return text
    source = entry.source_of(field)
    conflict = next(((other, value) for name, other, value in entry.conflicts if name == field), None)
    if not source and conflict is None:
        return text
    return _with_source(field, text, source, conflict, get_language())


@lru_cache(maxsize=2048)
def _with_source(field, text, source, conflict, language):
    if source:
        text = format_html(
            '<span class="aim-fact" title="{}">{}<span class="aim-fact-mark" aria-hidden="true">*</span></span>',
            gettext("From %(source)s: the provider does not list it.") % {"source": source},
            text,
        )
    if conflict is None:
        return text
    other, value = conflict
    shown = _shown(field, value)
    return format_html(
        '{} <span class="aim-badge aim-badge-drift" title="{}">≠ {}</span>',
        text,
        gettext("The provider's value; %(source)s says %(value)s.") % {"source": other, "value": shown},
        shown,
    )


def entry_facts(entry) -> dict:
    """What a model's confirmation page shows beyond its prices: output limit, knowledge cutoff,
    features, successor (each marked with its source), the datasets used and the conflicts."""
    features = format_html_join(", ", "<code>{}</code>", ((name,) for name in entry.parameters)) if entry.parameters else ""
    conflicts = [
        gettext("%(field)s: the provider says %(given)s; %(source)s says %(value)s.") % {
            "field": FACT_LABELS.get(field, field), "source": source,
            "given": _shown(field, getattr(entry, field)), "value": _shown(field, value),
        }
        for field, source, value in entry.conflicts
    ]
    return {
        "max_output": with_source(entry, "max_output", format_tokens(entry.max_output)) if entry.max_output else "",
        "knowledge_cutoff": with_source(entry, "knowledge_cutoff", entry.knowledge_cutoff),
        "features": with_source(entry, "parameters", features) if features else "",
        "successor": with_source(entry, "successor", entry.successor),
        "expiry_source": entry.source_of("expires"),
        "sources": sorted({source for _field, source in entry.facts}),
        "conflicts": conflicts,
    }


FACT_LABELS = {
    "input_price": _("input price"),
    "output_price": _("output price"),
    "context_window": _("context window"),
}


def _shown(field, value) -> str:
    if field == "context_window":
        return format_tokens(int(value))
    return format_price(Decimal(value)) if value is not None else EMPTY


def price_move(old: str, new: str, change: str = "") -> str:
    """"$0.40 → $2.00 (+$1.60)", isolated left to right: in a right-to-left page the bidi
    algorithm would otherwise reorder it to read "$2.00 → $0.40 ($1.60+)", a rise as a cut."""
    text = f"{old} → {new}" if old else new
    if change:
        return format_html('<span dir="ltr" class="aim-ltr">{} <span class="aim-change">({})</span></span>', text, change)
    return format_html('<span dir="ltr" class="aim-ltr">{}</span>', text)


def format_tokens(value: int | None) -> str:
    """A token count with digit grouping, or "—"."""
    return EMPTY if value is None else _format_tokens(value, get_language())


@lru_cache(maxsize=1024)
def _format_tokens(value, language):
    return grouped(value)


def capability_labels(entry) -> str:
    """The configured capabilities catalog ``entry`` fits, as small labels in settings order, each
    saying why it was given: none whose requirements it fails; "?" on those it may not meet."""
    offered, unknown = entry.capabilities, frozenset()
    judged = [(name, declared.requires) for name, declared in configured().items()
              if declared.requires and name in offered]
    if judged:  # only capabilities declaring requirements cost a check
        standings = {name: requirements.standing(entry, requires) for name, requires in judged}
        offered = offered - {name for name, state in standings.items() if state == requirements.UNMET}
        unknown = frozenset(name for name, state in standings.items() if state == requirements.UNKNOWN)
    return _capability_labels(offered, unknown, tuple(sorted(entry.capability_reasons.items())), get_language())


@lru_cache(maxsize=256)
def _capability_labels(capabilities, unknown, reasons, language):
    reasons = dict(reasons)
    names = [name for name in ai_settings.CAPABILITIES if name in capabilities]
    if not names:
        return EMPTY
    return format_html_join(
        " ",
        '<span class="aim-label" title="{}">{}{}</span>',
        ((gettext("Its requirements: the provider does not say whether this model meets them.") if name in unknown
          else gettext(reasons[name]) if reasons.get(name) else "", capability_label(name),
          " ?" if name in unknown else "") for name in names),
    )


remember(_format_tokens.cache_clear)
remember(_capability_labels.cache_clear)
remember(_with_source.cache_clear)


def labels_text(capabilities) -> str:
    """Capability labels joined in settings order, as plain text."""
    return ", ".join(capability_label(name) for name in ai_settings.CAPABILITIES if name in capabilities)


def expiry_badge(expires, today=None, source="") -> str:
    """"expired on 2026-02-05" or "expires on 2026-03-01" as a badge (the days left on hover, and
    the dataset that gave the date when the provider did not), or ""."""
    flag = expiry_flag(expires, today)
    if flag is None:
        return ""
    told = gettext("From %(source)s: the provider does not list it.") % {"source": source} if source else ""
    if flag.kind == EXPIRED:
        return format_html('<span class="aim-badge aim-badge-expired" title="{}">{}</span>', told, isolate(flag.message))
    label = sentence(gettext("expires on %(date)s"), date=ltr(expires.isoformat()))
    return format_html('<span class="aim-badge aim-badge-drift" title="{}">{}</span>',
                       f"{flag.message} {told}".strip(), label)


def entry_state(state, expires=None, expiry_source="") -> str:
    """A catalog entry's state: "active for Chat", "saved for Image", both, its expiry, or "—"."""
    parts = [badge] if (badge := expiry_badge(expires, source=expiry_source)) else []
    if state is None:
        return parts[0] if parts else EMPTY
    if state.active_for:
        parts.append(
            format_html(
                '<span class="aim-badge aim-badge-active">{}</span>',
                gettext("active for %(capabilities)s") % {"capabilities": labels_text(state.active_for)},
            )
        )
    saved_only = set(state.saved_for) - set(state.active_for)
    if saved_only:
        parts.append(
            format_html(
                '<span class="aim-badge">{}</span>',
                gettext("saved for %(capabilities)s") % {"capabilities": labels_text(saved_only)},
            )
        )
    return format_html_join(" ", "{}", ((part,) for part in parts)) if parts else EMPTY


def fetched_when(moment) -> str:
    """"just now", or "5 minutes ago"."""
    if moment is None:
        return EMPTY
    if (timezone.now() - moment).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(age)s ago") % {"age": timesince(moment)}


def status_summary(status) -> str:
    """One line on a provider's last catalog fetch: fresh or stale with its age, failed with the error."""
    values = {"count": status.count, "when": fetched_when(status.fetched_at)}
    if status.state == "fresh":
        text = ngettext(
            "fresh · %(count)d model, fetched %(when)s", "fresh · %(count)d models, fetched %(when)s", status.count
        ) % values
        return text + _skipped(status)
    if status.state == "stale":
        text = ngettext(
            "stale · %(count)d model, fetched %(when)s", "stale · %(count)d models, fetched %(when)s", status.count
        ) % values
        text += _skipped(status)
        return f"{text} · {own_words(status.error, status.provider)}" if status.error else text
    if status.state == "failed":
        return gettext("failed: %(error)s") % {"error": own_words(status.error, status.provider) or gettext("unknown error")}
    return gettext("not fetched yet")


def own_words(error: str, provider: str) -> str:
    """A provider error without its leading "<provider id>: ", for places that name the provider
    already, its hidden characters shown."""
    prefix = f"{provider}: "
    return visible(error[len(prefix):] if error and error.startswith(prefix) else error)


def _skipped(status) -> str:
    # Malformed entries are left out of the list; staff should know the list is incomplete.
    if not status.skipped:
        return ""
    return " · " + ngettext(
        "%(count)d malformed entry skipped", "%(count)d malformed entries skipped", status.skipped
    ) % {"count": status.skipped}


KEY_SOURCES = {
    "environment": _("environment variable"),
    "settings": _("settings (AI_MODELS['PROVIDERS'])"),
    "database": _("database (encrypted)"),
}


def key_source_label(source: str) -> str:
    """Where a provider's API key comes from, in words."""
    return str(KEY_SOURCES.get(source, _("no key")))
