"""The admin history (``LogEntry``) of saved models: written here only, stored as facts, told in
the reader's language.

``change_message`` holds one JSON object under the key ``ai_models`` (the event, the model, the
capability, what it replaced, where it came from), so the history page can say it in the
language of whoever reads it, with the capability's label. Entries written before this format
are shown as they were stored. A change made without a user (a script, the command line) goes
to the ``ai_models`` log instead, in English.
"""

import json
import logging

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from ..capabilities import capability_label
from ..models import AIModel

logger = logging.getLogger("ai_models")

ACTIVATED, REACTIVATED, REPLACED, SAVED, DEACTIVATED = "activated", "reactivated", "replaced", "saved", "deactivated"
FALLBACKS, FALLBACKS_CLEARED, DELETED = "fallbacks", "fallbacks cleared", "deleted"
ROLLOUT_STARTED, ROLLOUT_CHANGED, PROMOTED = "rollout started", "rollout changed", "promoted"
ROLLOUT_ABORTED, ROLLOUT_GUARD = "rollout aborted", "rollout aborted by its guard"
GROUP_MODEL, GROUP_MODEL_REMOVED = "group model", "group model removed"

SENTENCES = {
    ACTIVATED: gettext_noop("Activated %(model)s for %(capability)s."),
    REACTIVATED: gettext_noop("Activated %(model)s again for %(capability)s (a rollback to a saved model)."),
    REPLACED: gettext_noop("Deactivated for %(capability)s: replaced by %(other)s."),
    SAVED: gettext_noop("Saved %(model)s for %(capability)s without activating it."),
    DEACTIVATED: gettext_noop("Deactivated %(model)s for %(capability)s; no model is active for it now."),
    FALLBACKS: gettext_noop("Set the fallbacks for %(capability)s, in order: %(other)s."),
    FALLBACKS_CLEARED: gettext_noop("Cleared the fallbacks of %(capability)s."),
    DELETED: gettext_noop("Deleted while not in use."),
    ROLLOUT_STARTED: gettext_noop("Started a rollout of %(model)s for %(capability)s: %(other)s."),
    ROLLOUT_CHANGED: gettext_noop("Changed the rollout of %(model)s for %(capability)s: %(other)s."),
    PROMOTED: gettext_noop("Promoted %(model)s from its rollout: now the active model for %(capability)s."),
    ROLLOUT_ABORTED: gettext_noop("Aborted the rollout of %(model)s for %(capability)s."),
    ROLLOUT_GUARD: gettext_noop("Aborted the rollout of %(model)s for %(capability)s automatically: %(other)s."),
    GROUP_MODEL: gettext_noop("%(model)s serves %(capability)s for the group %(other)s."),
    GROUP_MODEL_REMOVED: gettext_noop("%(model)s no longer serves %(capability)s for the group %(other)s."),
}
VIA = {
    "admin": gettext_noop("the admin"),
    "command line": gettext_noop("the command line"),
    "HTTP API": gettext_noop("the HTTP API"),
}


def message(event: str, model: str, capability: str, *, via: str, replacing: str = "", trial_ms=None, note="") -> str:
    """The ``change_message`` of one event (JSON). ``note``: an English remark, kept as given."""
    facts = {"event": event, "model": model, "capability": capability, "via": via}
    if replacing:
        facts["other"] = replacing
    if trial_ms is not None:
        facts["trial_ms"] = trial_ms
    if note:
        facts["note"] = note
    return json.dumps({"ai_models": facts}, ensure_ascii=False)


def facts_of(change_message: str) -> dict | None:
    """The facts of one of our entries, or None for any other message."""
    try:
        data = json.loads(change_message)
    except (TypeError, ValueError):
        return None
    facts = data.get("ai_models") if isinstance(data, dict) else None
    return facts if isinstance(facts, dict) and facts.get("event") in SENTENCES else None


def describe(change_message: str) -> str:
    """The entry in the active language; a message not written by us, unchanged."""
    facts = facts_of(change_message)
    if facts is None:
        return change_message
    values = {
        "model": facts.get("model", ""),
        "capability": capability_label(facts.get("capability", "")),
        "other": facts.get("other", ""),
    }
    parts = [gettext(SENTENCES[facts["event"]]) % values]
    if facts.get("other") and facts["event"] in (ACTIVATED, REACTIVATED, PROMOTED):
        parts.append(gettext("It replaced %(other)s.") % values)
    if facts.get("trial_ms") is not None:
        parts.append(gettext("Test call first: %(latency)d ms.") % {"latency": facts["trial_ms"]})
    if facts.get("note"):
        parts.append(capfirst(facts["note"]) + ".")
    via = facts.get("via", "")
    parts.append(gettext("Via %(via)s.") % {"via": gettext(VIA[via]) if via in VIA else via})
    return " ".join(parts)


def reader(entry):
    """A stand-in for ``entry.get_change_message`` telling our entries in the active language."""
    fallback = entry.get_change_message
    return lambda: describe(entry.change_message) if facts_of(entry.change_message) else fallback()


def record(user, row, flag, message: str):
    """Write one entry (``flag``: ``ADDITION``, ``CHANGE``...) about saved model ``row``; without a
    user with a primary key, log it instead."""
    if user is None or not getattr(user, "pk", None):
        with translation.override(None):  # the server log in English, like Django's own
            logger.info("%s", describe(message))
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(AIModel),
        object_id=str(row.pk),
        object_repr=str(row)[:200],
        action_flag=flag,
        change_message=message,
    )


def record_deletions(user, rows, *, via: str):
    """One ``DELETION`` entry per row about to be deleted (or a log line each, without a user)."""
    for row in rows:
        record(user, row, DELETION, message(DELETED, f"{row.provider.slug}:{row.model_id}", row.capability, via=via))
