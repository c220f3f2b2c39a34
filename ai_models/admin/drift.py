"""Drift in the admin: the banner over the app's pages and the drift column of Saved models.

Both read ``drift.active_drift`` once per request: the database and the catalog cache, never a
provider. The banner is only for staff who can see the app; it never breaks a page.
"""

import logging

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..drift import CAPABILITY_LOST, DISAPPEARED, EXPIRED, EXPIRING, PRICE, active_drift
from .display import EMPTY, isolate

logger = logging.getLogger(__name__)


def request_drift(request) -> dict:
    """AIModel pk -> ``Drift`` of every active model, computed once per request ({} if that fails)."""
    if not hasattr(request, "_ai_models_drift"):
        try:
            request._ai_models_drift = {drift.model.pk: drift for drift in active_drift()}
        except Exception:  # a page must render even when the database or the cache misbehaves
            logger.exception("Drift watch failed while rendering an admin page")
            request._ai_models_drift = {}
    return request._ai_models_drift


def can_see_saved_models(user) -> bool:
    return user.has_perm("ai_models.view_aimodel") or user.has_perm("ai_models.change_aimodel")


def banner_context(request, site_name: str = "admin") -> dict | None:
    """Context of the drift banner, or None when there is nothing to show this user.

    Shown to staff who can act on it: those who may see the saved models or activate one.
    Each link is there only for a user who may open it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff:
        return None
    can_activate = user.has_perm("ai_models.activate_aimodel") and user.has_perm("ai_models.view_catalogentry")
    can_review = can_see_saved_models(user)
    if not (can_activate or can_review):
        return None
    flagged = [drift for drift in request_drift(request).values() if drift.flags]
    if not flagged:
        return None
    try:
        saved_url = reverse(f"{site_name}:ai_models_aimodel_changelist") + "?is_active__exact=1" if can_review else ""
    except NoReverseMatch:
        saved_url = ""
    return {
        "can_activate": can_activate,
        "can_accept": any(drift.acceptable for drift in flagged),
        "title": ngettext(
            "%(count)d active model has drifted from its provider's catalog",
            "%(count)d active models have drifted from their providers' catalogs",
            len(flagged),
        )
        % {"count": len(flagged)},
        "drifts": flagged,
        "saved_url": saved_url,
    }


KIND_LABELS = {
    DISAPPEARED: _("gone from the catalog"),
    EXPIRED: _("expired"),
    EXPIRING: _("expiring"),
    PRICE: _("price changed"),
    CAPABILITY_LOST: _("capability lost"),
}


def drift_cell(drift, *, detailed=False) -> str:
    """How an active model stands: its flags (short labels, the sentence on hover; or the sentences
    with ``detailed``), "not checked" or "in line with the catalog"; "—" when there is no ``drift``."""
    if drift is None:
        return EMPTY
    if drift.flags and detailed:
        return format_html(
            '<ul class="aim-flags">{}</ul>',
            format_html_join("", '<li><span class="aim-badge aim-badge-drift">{}</span> {}</li>',
                             ((KIND_LABELS[flag.kind], isolate(flag.message)) for flag in drift.flags)),
        )
    if drift.flags:
        return format_html_join(
            " ",
            '<span class="aim-badge aim-badge-drift" title="{}">{}</span>',
            ((flag.message, KIND_LABELS[flag.kind]) for flag in drift.flags),
        )
    if not drift.checked:
        return format_html(
            '<span class="aim-badge" title="{}">{}</span>',
            gettext("Its provider's catalog is not in the cache: open Browse catalog or run manage.py ai_models watch."),
            gettext("not checked"),
        )
    return format_html('<span class="aim-badge aim-badge-active">{}</span>', gettext("in line with the catalog"))
