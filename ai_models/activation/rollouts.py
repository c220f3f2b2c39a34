"""Rollouts and group models: who gets a model other than the active one, one function each.

``start`` a rollout (a saved candidate for a share of users and/or named groups), ``change`` its
share or groups, ``promote`` it (the candidate becomes the active model through the activation
flow: history, ``active_model_changed``) or ``abort`` it; ``set_group_model`` / ``remove_group_model``
give a group its own model outside any rollout. The admin, the HTTP API and the command line call
these; ``get_active_model(capability, user=...)`` reads what they wrote (``active._pick``).

Each runs as activation does: the user's permission; the candidate's gates (as the active model
it may become), checked before anything else and again under the capability's lock; the write,
the history entry on the model, and a new version of the capability, so every process sees the
change within ``ACTIVE_MODEL_MAX_STALENESS``. ``summaries`` gives each rollout with live figures,
``board`` those and the group models per capability (the capability board shows them).
"""

import logging
from datetime import timedelta

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..active import change_made
from ..capabilities import capability_label, validate_capability
from ..exceptions import ActivationError
from ..models import AIModel, GroupModel, Rollout
from ..signals import rollout_ended
from ..usage import report
from . import history
from .flow import _choose, _name, _require
from .gates import ACTIVATE
from .locks import capability_lock
from .plan import active_model, plan

logger = logging.getLogger("ai_models")

PROMOTED, ABORTED, GUARD = "promoted", "aborted", "guard"


def _percent(value) -> int:
    try:
        percent = int(value)
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100 or str(value).strip() not in (str(percent), f"{percent}.0"):
        raise ActivationError(gettext("The share of users is a whole number from 0 to 100; got %(value)s.")
                              % {"value": value})
    return percent


def _terms(percent, groups) -> str:
    """The history's description of who gets the candidate (English facts; names kept as given)."""
    names = ", ".join(sorted(group.name for group in groups))
    return f"{percent}% of users" + (f" and the groups {names}" if names else "")


def _checked(candidate: AIModel, capability: str, user, overrides, current=None, *, locked=False):
    """The candidate passes every gate as the active model it may become (``ActivationRefused`` if not)."""
    if candidate.capability != capability:
        raise ActivationError(
            gettext("%(model)s is saved for another capability than %(capability)s.")
            % {"model": _name(candidate), "capability": capability_label(capability)}
        )
    if candidate.is_active:
        raise ActivationError(gettext("%(model)s is already the active model of %(capability)s.")
                              % {"model": _name(candidate), "capability": capability_label(capability)})
    kwargs = {"current": current} if locked else {}
    checked = plan(candidate.catalog_entry(), capability, user=user, overrides=overrides, **kwargs)
    checked.check()
    return checked


def _running(capability: str, *, lock: bool = False) -> Rollout:
    rows = Rollout.objects.select_related("candidate__provider").filter(capability=capability)
    rollout = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if rollout is None:
        raise ActivationError(gettext("No rollout of %(capability)s is running.")
                              % {"capability": capability_label(capability)})
    return rollout


def start(capability: str, candidate: AIModel, user=None, *, percent=0, groups=(), via: str = "admin",
          overrides=()) -> Rollout:
    """Start trying saved model ``candidate`` on ``percent`` % of the users of ``capability`` and
    on the members of ``groups``. Raises ``ActivationError`` when a rollout runs already (change
    or abort it first), ``ActivationRefused`` when a gate refuses the candidate, and as ``activate``."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    percent, groups = _percent(percent), list(groups)
    _checked(candidate, capability, user, overrides)
    with capability_lock(capability):
        if Rollout.objects.filter(capability=capability).exists():
            raise ActivationError(gettext("A rollout of %(capability)s is running already: change or abort it.")
                                  % {"capability": capability_label(capability)})
        candidate = AIModel.objects.select_related("provider").get(pk=candidate.pk)
        checked = _checked(candidate, capability, user, overrides, active_model(capability, lock=True), locked=True)
        rollout = Rollout.objects.create(capability=capability, candidate=candidate, percent=percent,
                                         started_by=user if getattr(user, "pk", None) else None)
        rollout.groups.set(groups)
        text = history.message(history.ROLLOUT_STARTED, _name(candidate), capability, via=via,
                               replacing=_terms(percent, groups), note="; ".join(checked.notes))
        history.record(user, candidate, CHANGE, text)
        change_made(capability)
    return rollout


def change(capability: str, user=None, *, percent=None, groups=None, via: str = "admin") -> Rollout:
    """Change the share of users (``percent``) and/or the ``groups`` of the running rollout (None:
    kept). The users already on the candidate keep it while the share grows."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    percent = None if percent is None else _percent(percent)
    with capability_lock(capability):
        rollout = _running(capability, lock=True)
        if percent is not None:
            rollout.percent = percent
            rollout.save(update_fields=["percent"])
        if groups is not None:
            rollout.groups.set(list(groups))
        text = history.message(history.ROLLOUT_CHANGED, _name(rollout.candidate), capability, via=via,
                               replacing=_terms(rollout.percent, rollout.groups.all()))
        history.record(user, rollout.candidate, CHANGE, text)
        change_made(capability)
    return rollout


def _announce_end(rollout: Rollout, outcome: str, user, via: str):
    def send():
        for receiver, result in rollout_ended.send_robust(
            Rollout, capability=rollout.capability, candidate=rollout.candidate, outcome=outcome, user=user, via=via
        ):
            if isinstance(result, Exception):
                logger.error("rollout_ended receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)


def promote(capability: str, user=None, *, via: str = "admin", overrides=()):
    """Make the rollout's candidate the active model of ``capability`` through the activation flow
    (gates, history, ``active_model_changed``) and end the rollout; the activation's ``Change``."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    with capability_lock(capability):
        rollout = _running(capability, lock=True)
        candidate = rollout.candidate
        activated = _choose(candidate.catalog_entry(), capability, user, {}, via=via, overrides=overrides, trial=None,
                            test=False, note="", event=history.PROMOTED)
        rollout.delete()
        _announce_end(rollout, PROMOTED, user, via)
        change_made(capability)
    return activated


def abort(capability: str, user=None, *, via: str = "admin", reason: str = "") -> Rollout:
    """End the rollout of ``capability``: everyone gets the active model again. ``reason`` (set by
    the guard): why it was aborted automatically."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    with capability_lock(capability):
        rollout = _running(capability, lock=True)
        event = history.ROLLOUT_GUARD if reason else history.ROLLOUT_ABORTED
        text = history.message(event, _name(rollout.candidate), capability, via=via, replacing=reason)
        history.record(user, rollout.candidate, CHANGE, text)
        rollout.delete()
        _announce_end(rollout, GUARD if reason else ABORTED, user, via)
        change_made(capability)
    return rollout


def set_group_model(capability: str, group, model: AIModel, user=None, *, order=None, via: str = "admin",
                    overrides=()) -> GroupModel:
    """Make saved ``model`` the one the members of ``group`` get for ``capability`` (it passes the
    gates as an active model). ``order``: its place among the capability's groups (a member of
    several gets the first's model); None keeps it, or puts a new one last."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    if order is not None and (not isinstance(order, int) or order < 0):
        raise ActivationError(gettext("The order of a group is a whole number from 0; got %(value)s.") % {"value": order})
    if model.capability != capability:
        raise ActivationError(gettext("%(model)s is saved for another capability than %(capability)s.")
                              % {"model": _name(model), "capability": capability_label(capability)})
    plan(model.catalog_entry(), capability, user=user, overrides=overrides).check()
    with capability_lock(capability):
        model = AIModel.objects.select_related("provider").get(pk=model.pk)
        checked = plan(model.catalog_entry(), capability, user=user, overrides=overrides,
                       current=active_model(capability, lock=True))
        checked.check()
        row = GroupModel.objects.filter(capability=capability, group=group).first()
        if order is None:
            order = row.order if row else 1 + max(
                GroupModel.objects.filter(capability=capability).values_list("order", flat=True), default=-1)
        row = row or GroupModel(capability=capability, group=group)
        row.model, row.order = model, order
        row.save()
        text = history.message(history.GROUP_MODEL, _name(model), capability, via=via, replacing=group.name,
                               note="; ".join(checked.notes))
        history.record(user, model, CHANGE, text)
        change_made(capability)
    return row


def remove_group_model(capability: str, group, user=None, *, via: str = "admin") -> GroupModel | None:
    """Give the members of ``group`` the capability's usual model again; the row removed, or None."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    with capability_lock(capability):
        row = GroupModel.objects.select_related("model__provider").filter(capability=capability, group=group).first()
        if row is None:
            return None
        text = history.message(history.GROUP_MODEL_REMOVED, _name(row.model), capability, via=via,
                               replacing=group.name)
        history.record(user, row.model, CHANGE, text)
        row.delete()
        change_made(capability)
    return row


# --- what the board and the rollout page show ----------------------------------------------


def _figures(capability: str, since, models: dict) -> dict:
    """name -> ``report.Line`` of each of ``models`` (name -> AIModel or None) since ``since``."""
    lines = {name: report.Line() for name in models}
    keys = {(row.provider.slug, row.model_id): name for name, row in models.items() if row is not None}
    start = since.replace(second=0, microsecond=0)
    for row in report.rows_between(start, timezone.now() + timedelta(minutes=1), capability):
        name = keys.get((row["provider"], row["model_id"]))
        if name is not None:
            lines[name].add(row)
    return lines


def figures_as_dict(line) -> dict:
    """A ``report.Line`` as the rollout summary shows it: calls, errors, p50/p95, cost per call."""
    per_call = line.cost / line.calls if line.calls else None
    return {**line.as_dict(), "cost_per_call": report.usd(per_call) if per_call is not None else None}


def summaries(capability: str | None = None, *, collect: bool = True) -> list[dict]:
    """Each running rollout (of ``capability``, or all) as the board and the rollout page show it:
    capability, candidate, active model, share, groups, since, by whom, and the live figures of
    the candidate and the active model since it started (``usage``: calls, errors, error rate,
    p50/p95 latency in ms, cost and cost per call)."""
    if collect:
        report.collect()
    rows = Rollout.objects.select_related("candidate__provider", "started_by").prefetch_related("groups")
    if capability:
        rows = rows.filter(capability=capability)
    result = []
    for rollout in rows:
        active = active_model(rollout.capability)
        lines = _figures(rollout.capability, rollout.started_at, {"candidate": rollout.candidate, "active": active})
        result.append({
            "capability": rollout.capability,
            "label": capability_label(rollout.capability),
            "candidate": rollout.candidate,
            "active": active,
            "percent": rollout.percent,
            "groups": [group.name for group in rollout.groups.all()],
            "since": rollout.started_at,
            "started_by": rollout.started_by,
            "figures": {name: figures_as_dict(line) for name, line in lines.items()},
        })
    return result


def group_models(capability: str | None = None) -> list[dict]:
    """The group models (of ``capability``, or all), in the order they are matched: capability,
    group name, model, order."""
    rows = GroupModel.objects.select_related("group", "model__provider").order_by("capability", "order", "pk")
    if capability:
        rows = rows.filter(capability=capability)
    return [{"capability": row.capability, "group": row.group.name, "model": row.model, "order": row.order}
            for row in rows]


def board(*, collect: bool = True) -> dict[str, dict]:
    """Per capability with a rollout or a group model, what the capability board shows:
    ``{"rollout": one of summaries() or None, "group_models": group_models() of it}``."""
    result: dict[str, dict] = {}
    for summary in summaries(collect=collect):
        result.setdefault(summary["capability"], {"rollout": None, "group_models": []})["rollout"] = summary
    for entry in group_models():
        result.setdefault(entry["capability"], {"rollout": None, "group_models": []})["group_models"].append(entry)
    return dict(sorted(result.items()))


def _model_name(row) -> str | None:
    return _name(row) if row is not None else None


def summary_as_data(summary: dict) -> dict:
    """One of ``summaries`` as JSON-friendly data (the HTTP API and ``ai_models rollout --json``)."""
    return {
        **summary,
        "candidate": _model_name(summary["candidate"]),
        "active": _model_name(summary["active"]),
        "since": summary["since"].isoformat(),
        "started_by": summary["started_by"].get_username() if summary["started_by"] else None,
    }
