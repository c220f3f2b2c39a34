"""Curation: the models staff hid from the catalog (``CatalogRule`` rows), per provider.

``get_catalog`` leaves hidden models out of its entries (they are in ``Listing.hidden``), so
Browse catalog, the HTTP API, the command line and the board's Choose… all agree. ``hide`` and ``show`` are what the admin
calls; they write the history of each rule (``LogEntry``) like any other change of the app.
"""

import json
import re

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from ..models import CatalogRule


def rules() -> tuple:
    """Every rule as a hashable ``(provider, action, pattern)`` tuple, in a stable order (one query)."""
    return tuple(CatalogRule.objects.order_by("provider", "action", "pattern").values_list("provider", "action",
                                                                                          "pattern"))


def split(entries) -> tuple:
    """``(shown, hidden)``: ``entries`` (a listing's ``Entries``) without and with only the hidden
    models, both remembered with the listing while the rules stay the same."""
    found = rules()
    if not found:  # the usual case: no cost on the catalog's hot path
        return entries, []
    return (entries.filtered(None, None, None, (), None, None, hidden=(found, False)),
            entries.filtered(None, None, None, (), None, None, hidden=(found, True)))


def _escaped(model_id: str) -> str:
    """``model_id`` as a pattern matching only itself (``[``, ``*`` and ``?`` taken literally)."""
    return re.sub(r"([*?\[])", r"[\1]", model_id)


def hide(entries, user=None) -> int:
    """Hide each catalog entry of ``entries`` (one rule per model); return how many were not hidden yet."""
    made = 0
    with transaction.atomic():
        for entry in entries:
            rule, created = CatalogRule.objects.get_or_create(provider=entry.provider, pattern=_escaped(entry.model_id),
                                                              action=CatalogRule.HIDE)
            if created:
                made += 1
                _record(user, rule, ADDITION)
    return made


def show(entries, user=None) -> int:
    """Show ``entries`` again: delete the hide rules naming each exactly; return how many were deleted.

    A model hidden by a pattern or left out of an allow-list stays hidden: change that rule.
    """
    deleted = 0
    with transaction.atomic():
        for entry in entries:
            for rule in CatalogRule.objects.filter(provider=entry.provider, pattern=_escaped(entry.model_id),
                                                   action=CatalogRule.HIDE):
                _record(user, rule, DELETION)
                rule.delete()
                deleted += 1
    return deleted


def _record(user, rule, flag):
    """The rule's admin history, in Django's own format (shown as "Added." / "Deleted." in the
    reader's language); a change made without a user (code) is not a staff member's to log."""
    if getattr(user, "pk", None) is None:
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(CatalogRule),
        object_id=str(rule.pk),
        object_repr=str(rule)[:200],
        action_flag=flag,
        change_message=json.dumps([{"added": {}}]) if flag == ADDITION else "",
    )
