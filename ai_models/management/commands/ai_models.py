"""``manage.py ai_models``: the catalog and model selection from a terminal or a CI job.

Subcommands: ``catalog``, ``activate``, ``deactivate``, ``active``, ``watch``, ``providers``,
``rotate_keys``. They go through the same functions as the admin (``ai_models.catalog``,
``ai_models.selection``), so a change made here is the change the admin would make.

Exit status: 0 on success; 1 when a provider or an operation failed (``watch``: when an
active model is flagged); 2 for a usage error (bad arguments, unknown capability, provider,
model or user; a refused activation); 3 when ``watch`` flagged nothing but could not check
every active model. Errors are one line on stderr.
"""

import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ... import catalog, crypto, guardrail, selection
from ...capabilities import capability_label
from ...conf import ai_settings
from ...drift import active_drift
from ...exceptions import (
    ActivationError,
    AIModelsError,
    EncryptionError,
    UnknownProvider,
    redact,
)
from ...models import AIModel, Provider
from ...providers import enabled_providers, get_provider, provider_paths
from ...trial import run_trial

FAILED = 1  # a provider or an operation failed
USAGE = 2  # the arguments name something that does not exist (argparse also exits 2)
UNCHECKED = 3  # watch: nothing flagged, but some active model could not be checked

USER_ENV = "DJANGO_AI_MODELS_USER"
VIA = "command line"
DASH = "—"

# Provider text is untrusted: drop control characters so it cannot drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text, limit=None) -> str:
    """``text`` on one line without control characters, cut to ``limit`` characters."""
    text = _CONTROL.sub(" ", str(text or "")).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def format_price(value) -> str:
    """USD per 1M tokens: at least two decimals, no trailing zeros beyond; "—" when unknown."""
    if value is None:
        return DASH
    value = Decimal(value).normalize()
    if value.as_tuple().exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"


def format_context(value) -> str:
    return f"{value:,}" if value else DASH


def format_state(state) -> str:
    """"active: chat; saved: image" from an ``EntryState`` (or ``None``)."""
    if state is None:
        return ""
    parts = []
    if state.active_for:
        parts.append(_("active: %(capabilities)s") % {"capabilities": ", ".join(sorted(state.active_for))})
    saved = set(state.saved_for) - set(state.active_for)
    if saved:
        parts.append(_("saved: %(capabilities)s") % {"capabilities": ", ".join(sorted(saved))})
    return "; ".join(parts)


def state_json(state) -> dict:
    if state is None:
        return {"active_for": [], "saved_for": []}
    return {"active_for": sorted(state.active_for), "saved_for": sorted(state.saved_for)}


def table(headers, rows) -> str:
    """Plain-text columns, left-aligned, two spaces apart."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(str(header))] + [len(row[i]) for row in rows]) for i, header in enumerate(headers)]
    lines = [[str(header) for header in headers], ["-" * width for width in widths], *rows]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)


def status_json(status) -> dict:
    age = status.age
    return {
        "provider": status.provider,
        "name": status.name,
        "state": status.state,
        "fetched_at": status.fetched_at.isoformat() if status.fetched_at else None,
        "age_seconds": int(age.total_seconds()) if age is not None else None,
        "error": status.error,
        "count": status.count,
        "skipped": status.skipped,
        "key_source": status.key_source,
    }


def status_line(status) -> str:
    """One human line per provider: fresh / stale with its age / failed with the error."""
    values = {
        "provider": status.provider,
        "count": status.count,
        "age": timesince(status.fetched_at, depth=1) if status.fetched_at else "?",
        "error": clean(without_prefix(status.error, status.provider)),
    }
    if status.state == "fresh":
        line = _("%(provider)s: fresh, %(count)s models, fetched %(age)s ago") % values
    elif status.state == "stale" and status.error:
        line = _("%(provider)s: stale, %(count)s models from %(age)s ago (refresh failed: %(error)s)") % values
    elif status.state == "stale":
        line = _("%(provider)s: stale, %(count)s models from %(age)s ago") % values
    elif status.state == "failed":
        line = _("%(provider)s: failed: %(error)s") % values
    else:
        line = _("%(provider)s: not fetched yet") % values
    if status.skipped:
        line += " " + _("(%(skipped)s malformed entries skipped)") % {"skipped": status.skipped}
    return line


def without_prefix(error: str, provider: str) -> str:
    """A provider error without its leading "provider: " when the line already names it."""
    return error.removeprefix(f"{provider}: ")


def key_description(backend, row) -> str:
    """Where the key comes from, never the key: ``set · …last4`` at most, for a stored key."""
    source = backend.key_source
    if source == "environment":
        return _("environment (%(name)s)") % {"name": backend.api_key_env}
    if source == "settings":
        return _("settings")
    if source == "database":
        last4 = row.api_key_last4 if row is not None else ""
        return _("database (set · …%(last4)s)") % {"last4": last4} if last4 else _("database (set)")
    return _("missing") if backend.requires_key else _("not needed")

def _without_raw(data: dict) -> dict:
    data.pop("raw", None)
    return data


def _active_row(capability):
    return AIModel.objects.select_related("provider").filter(capability=capability, is_active=True).first()


def drift_json(drift) -> dict | None:
    if drift is None:
        return None
    return {
        "state": drift.state,
        "flags": [{"kind": flag.kind, "message": flag.message} for flag in drift.flags],
    }


def drift_label(drift) -> str:
    """"ok", "not checked", or the kinds of its flags: "disappeared,price"."""
    if drift is None:
        return ""
    if drift.flags:
        return ",".join(dict.fromkeys(flag.kind for flag in drift.flags))
    return _("ok") if drift.checked else _("not checked")


def _active_json(row, drift=None):
    if row is None:
        return None
    return {
        "provider": row.provider.slug,
        "model_id": row.model_id,
        "name": row.display_name,
        "capability_label": capability_label(row.capability),
        "context_window": row.context_window,
        "input_price": None if row.input_price is None else format_price(row.input_price),
        "output_price": None if row.output_price is None else format_price(row.output_price),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
        "activated_by": row.activated_by.get_username() if row.activated_by else None,
        "trial": None
        if row.trial_at is None
        else {"at": row.trial_at.isoformat(), "latency_ms": row.trial_latency_ms, "result": row.trial_result},
        "drift": drift_json(drift),
    }


def short_status(status) -> str:
    """"fresh, 342 models, 5 minutes old" for the providers table."""
    if status is None or status.state == "never":
        return _("not fetched yet")
    if status.state == "failed":
        return _("failed")
    return _("%(state)s, %(count)s models, %(age)s old") % {
        "state": status.label,
        "count": status.count,
        "age": timesince(status.fetched_at, depth=1) if status.fetched_at else "?",
    }


def describe_test(provider, result) -> str:
    if result["ok"]:
        return _("ok: %(models)s models in %(seconds).1f s") % result
    return _("failed: %(error)s") % {"error": clean(without_prefix(result["error"], provider), 80)}


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so argparse gets a plain string translated at run time.
        return _(
            "Browse the provider catalogs and choose the active AI model per capability. "
            "Run `manage.py ai_models SUBCOMMAND --help` for each subcommand."
        )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        p = sub.add_parser("catalog", help=_("List the models the providers offer now."))
        p.add_argument("--provider", help=_("Only this provider's models."))
        p.add_argument("--capability", help=_("Only models classified for this capability."))
        p.add_argument("--search", default="", help=_("Only models whose id, name or description match."))
        p.add_argument("--sort", choices=list(catalog.SORT_KEYS), default="name", help=_("Sort key (default: name)."))
        p.add_argument("--desc", action="store_true", help=_("Sort in descending order."))
        p.add_argument("--refresh", action="store_true", help=_("Fetch again, bypassing the cache."))
        p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))

        p = sub.add_parser("activate", help=_("Make a catalog model the active one for a capability."))
        p.add_argument("provider", metavar="PROVIDER")
        p.add_argument("model_id", metavar="MODEL_ID")
        p.add_argument("--capability", required=True)
        p.add_argument(
            "--user",
            help=_("User recorded in the admin history (default: $%(env)s, else the first superuser).")
            % {"env": USER_ENV},
        )
        p.add_argument(
            "--strict",
            action="store_true",
            help=_("Refuse a model the catalog does not classify for the capability."),
        )
        p.add_argument(
            "--test",
            action="store_true",
            help=_("Make one minimal real call through the model first; activate only if it succeeds."),
        )
        p.add_argument(
            "--allow-above-ceiling",
            action="store_true",
            help=_("Activate a model priced above AI_MODELS['PRICE_CEILINGS'] (the user needs the "
                   "ai_models.activate_above_ceiling permission)."),
        )

        p = sub.add_parser("deactivate", help=_("Leave a capability with no active model."))
        p.add_argument("--capability", required=True)
        p.add_argument("--user", help=_("User recorded in the admin history."))

        p = sub.add_parser("active", help=_("Show the active model of every capability."))
        p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))

        p = sub.add_parser(
            "watch",
            help=_("Check the active models against the live catalogs (for cron): exit 1 when one is flagged."),
        )
        p.add_argument("--refresh", action="store_true", help=_("Fetch the catalogs again, bypassing the cache."))
        p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))

        p = sub.add_parser("providers", help=_("Show the configured providers, key source and status."))
        p.add_argument("--test", action="store_true", help=_("Fetch each catalog now to test the connection."))
        p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))

        sub.add_parser(
            "rotate_keys",
            help=_("Re-encrypt stored API keys under the first key of AI_MODELS['ENCRYPTION_KEYS']."),
        )

    def handle(self, *args, subcommand, **options):
        return getattr(self, "handle_" + subcommand)(**options)

    # --- helpers -----------------------------------------------------------------------------

    def warn(self, message):
        self.stderr.write(message, style_func=self.style.WARNING)

    def note(self, message):
        self.stderr.write(message, style_func=lambda text: text)

    def emit_json(self, data):
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def check_capability(self, name) -> str:
        capabilities = ai_settings.CAPABILITIES
        if name not in capabilities:
            raise CommandError(
                _("Unknown capability %(name)r. Valid capabilities: %(valid)s.")
                % {"name": name, "valid": ", ".join(capabilities)},
                returncode=USAGE,
            )
        return name

    def check_provider(self, provider_id):
        """The enabled backend for ``provider_id``, or a usage error."""
        try:
            get_provider(provider_id)
        except UnknownProvider as err:
            raise CommandError(str(err), returncode=USAGE) from None
        except ImportError as err:
            raise CommandError(
                _("Provider %(id)r cannot be imported: %(error)s") % {"id": provider_id, "error": err},
                returncode=FAILED,
            ) from None
        backends = enabled_providers()
        for backend in backends:
            if backend.id == provider_id:
                return backend
        raise CommandError(
            _("Provider %(id)r is not enabled. Enabled providers: %(enabled)s (see AI_MODELS['PROVIDERS']).")
            % {"id": provider_id, "enabled": ", ".join(b.id for b in backends) or _("none")},
            returncode=USAGE,
        )

    def resolve_user(self, username):
        """The user for the LogEntry: --user, else $DJANGO_AI_MODELS_USER, else the first superuser."""
        User = get_user_model()
        source = "--user"
        if not username and os.environ.get(USER_ENV):
            username, source = os.environ[USER_ENV], USER_ENV
        if username:
            try:
                return User._default_manager.get_by_natural_key(username)
            except User.DoesNotExist:
                raise CommandError(
                    _("No user %(username)r (from %(source)s).") % {"username": username, "source": source},
                    returncode=USAGE,
                ) from None
        try:
            User._meta.get_field("is_superuser")
        except FieldDoesNotExist:
            return None
        return User._default_manager.filter(is_superuser=True).order_by("pk").first()

    # --- catalog -----------------------------------------------------------------------------

    def handle_catalog(self, provider=None, capability=None, search="", sort="name", desc=False, refresh=False,
                       as_json=False, **options):
        if capability:
            self.check_capability(capability)
        if provider:
            self.check_provider(provider)
        providers = [provider] if provider else None
        listing = catalog.get_catalog(providers, refresh=refresh)
        entries = catalog.filter_entries(listing.entries, provider=provider, capability=capability, search=search)
        entries = catalog.sort_entries(entries, sort, descending=desc)
        states = catalog.entry_states(entries)

        if as_json:
            self.emit_json(
                {
                    "entries": [
                        {**_without_raw(entry.to_json()), "state": state_json(states.get(entry.pk))}
                        for entry in entries
                    ],
                    "providers": [status_json(status) for status in listing.statuses],
                }
            )
        else:
            headers = [_("id"), _("name"), _("provider"), _("capabilities"), _("context"), _("in $/1M"),
                       _("out $/1M"), _("state")]
            rows = [
                [
                    clean(entry.pk),
                    clean(entry.name, 40),
                    entry.provider,
                    ",".join(name for name in ai_settings.CAPABILITIES if name in entry.capabilities) or DASH,
                    format_context(entry.context_window),
                    format_price(entry.input_price),
                    format_price(entry.output_price),
                    format_state(states.get(entry.pk)),
                ]
                for entry in entries
            ]
            self.stdout.write(table(headers, rows))
            for status in listing.statuses:
                (self.warn if status.state in ("stale", "failed") else self.note)(status_line(status))
            self.note(_("%(count)s models listed.") % {"count": len(entries)})

        if listing.statuses and all(status.state == "failed" for status in listing.statuses):
            raise CommandError(_("Every provider failed; no catalog to list."), returncode=FAILED)
        if not listing.statuses:
            self.warn(_("No provider is enabled: set AI_MODELS['PROVIDERS'] or add one in the admin."))

    # --- activate / deactivate ---------------------------------------------------------------

    def handle_activate(self, provider, model_id, capability, user=None, strict=False, test=False,
                        allow_above_ceiling=False, **options):
        self.check_capability(capability)
        self.check_provider(provider)
        entry = catalog.get_entry(provider, model_id)  # provider errors show in its status, below
        if entry is None:
            (status,) = catalog.provider_statuses([provider])
            if status.state == "failed":
                raise CommandError(
                    _("Cannot read the catalog of %(provider)s: %(error)s")
                    % {"provider": provider, "error": clean(without_prefix(status.error, provider))},
                    returncode=FAILED,
                )
            raise CommandError(
                _("Model %(model)r is not in the catalog of %(provider)s (try `ai_models catalog --provider %(provider)s`).")
                % {"model": model_id, "provider": provider},
                returncode=USAGE,
            )
        if capability not in entry.capabilities:
            message = _("%(pk)s is not classified for %(capability)s (classified for: %(classified)s).") % {
                "pk": clean(entry.pk),
                "capability": capability,
                "classified": ", ".join(sorted(entry.capabilities)) or _("nothing"),
            }
            if strict:
                raise CommandError(message + " " + _("Refused because of --strict."), returncode=USAGE)
            self.warn(_("Warning: %(message)s Activating it anyway.") % {"message": message})

        actor = self.resolve_user(user)
        note = self.check_ceiling(entry, capability, actor, allow_above_ceiling)
        trial = None
        if test:
            trial = run_trial(entry, capability)
            if not trial.ok:
                raise CommandError(
                    _("The test call failed: %(error)s. Nothing was changed.")
                    % {"error": clean(without_prefix(trial.error, provider))},
                    returncode=FAILED,
                )
            self.note(
                _("Test call: %(result)s in %(latency)s ms.")
                % {"result": clean(trial.summary), "latency": trial.latency_ms}
            )
        previous = _active_row(capability)
        try:
            chosen = selection.activate(entry, capability, actor, via=VIA, trial=trial, note=note)
        except ActivationError as err:
            raise CommandError(str(err), returncode=FAILED) from None

        values = {"pk": clean(entry.pk), "capability": capability}
        if previous is not None and previous.pk != chosen.pk:
            values["previous"] = f"{previous.provider.slug}:{clean(previous.model_id)}"
            self.stdout.write(_("Activated %(pk)s for %(capability)s (replacing %(previous)s).") % values)
        else:
            self.stdout.write(_("Activated %(pk)s for %(capability)s.") % values)
        self.report_log_user(actor)

    def check_ceiling(self, entry, capability, actor, allowed) -> str:
        """The LogEntry note for a model above the price ceiling; a ``CommandError`` when that is refused."""
        excess = guardrail.excesses(capability, entry.input_price, entry.output_price)
        if not excess:
            return ""
        values = {
            "pk": clean(entry.pk),
            "capability": capability,
            "excess": guardrail.describe(excess, lambda price: "$" + format_price(price)),
        }
        if not allowed:
            raise CommandError(
                _("%(pk)s is priced above the %(capability)s ceiling (%(excess)s). Pass --allow-above-ceiling "
                  "to activate it anyway.") % values,
                returncode=USAGE,
            )
        if not guardrail.can_exceed(actor):
            raise CommandError(
                _("Refused: activating %(pk)s above the %(capability)s price ceiling needs a user with the "
                  "permission ai_models.activate_above_ceiling (pass --user or set %(env)s).")
                % {**values, "env": USER_ENV},
                returncode=USAGE,
            )
        self.warn(_("Activating %(pk)s above the %(capability)s price ceiling: %(excess)s.") % values)
        return guardrail.log_note(excess)

    def handle_deactivate(self, capability, user=None, **options):
        self.check_capability(capability)
        actor = self.resolve_user(user)
        previous = selection.deactivate(capability, actor, via=VIA)
        if previous is None:
            self.stdout.write(_("No model was active for %(capability)s.") % {"capability": capability})
            return
        self.stdout.write(
            _("Deactivated %(pk)s for %(capability)s; no model is active for it now.")
            % {"pk": f"{previous.provider.slug}:{clean(previous.model_id)}", "capability": capability}
        )
        self.report_log_user(actor)

    def report_log_user(self, actor):
        if actor is None:
            self.warn(
                _("Notice: no user to record, so no admin history (LogEntry) was written. "
                  "Pass --user or set %(env)s.") % {"env": USER_ENV}
            )

    # --- active ------------------------------------------------------------------------------

    def handle_active(self, as_json=False, **options):
        capabilities = ai_settings.CAPABILITIES
        rows = {
            row.capability: row
            for row in AIModel.objects.select_related("provider", "activated_by").filter(
                is_active=True, capability__in=list(capabilities)
            )
        }
        drifts = {drift.model.capability: drift for drift in active_drift()}
        if as_json:
            self.emit_json({name: _active_json(rows.get(name), drifts.get(name)) for name in capabilities})
            return
        headers = [_("capability"), _("provider"), _("model id"), _("name"), _("drift"), _("activated"), _("by")]
        lines = []
        for name in capabilities:
            row = rows.get(name)
            if row is None:
                lines.append([name, DASH, DASH, "", "", "", ""])
                continue
            lines.append([
                name,
                row.provider.slug,
                clean(row.model_id),
                clean(row.display_name, 40),
                drift_label(drifts.get(name)),
                row.activated_at.strftime("%Y-%m-%d %H:%M") if row.activated_at else "",
                row.activated_by.get_username() if row.activated_by else "",
            ])
        self.stdout.write(table(headers, lines))
        self.report_drift(drifts.values())

    def report_drift(self, drifts):
        """One stderr line per flag, then a hint."""
        flagged = [drift for drift in drifts if drift.flags]
        for drift in flagged:
            row = drift.model
            for flag in drift.flags:
                self.warn(f"{row.capability}: {row.provider.slug}:{clean(row.model_id)} {clean(flag.message)}")
        if flagged:
            self.note(
                _("Choose another model, or activate the same one again to accept the change "
                  "(`manage.py ai_models activate PROVIDER MODEL_ID --capability C`).")
            )

    # --- watch -------------------------------------------------------------------------------

    def handle_watch(self, refresh=False, as_json=False, **options):
        providers = sorted(
            set(AIModel.objects.filter(is_active=True, capability__in=list(ai_settings.CAPABILITIES))
                .values_list("provider__slug", flat=True))
        )
        registered = [provider for provider in providers if provider in provider_paths()]
        enabled = {backend.id for backend in enabled_providers(registered)} if registered else set()
        statuses = catalog.get_catalog(sorted(enabled), refresh=refresh).statuses if enabled else []
        drifts = active_drift()

        if as_json:
            self.emit_json(
                {
                    "models": [
                        {"capability": drift.model.capability, "provider": drift.model.provider.slug,
                         "model_id": drift.model.model_id, **drift_json(drift)}
                        for drift in drifts
                    ],
                    "providers": [status_json(status) for status in statuses],
                }
            )
        else:
            headers = [_("capability"), _("provider"), _("model id"), _("drift")]
            lines = [
                [drift.model.capability, drift.model.provider.slug, clean(drift.model.model_id), drift_label(drift)]
                for drift in drifts
            ]
            self.stdout.write(table(headers, lines))
            for status in statuses:
                if status.state in ("stale", "failed"):
                    self.warn(status_line(status))
            for provider in sorted(set(providers) - enabled):
                self.warn(_("%(provider)s: not enabled, so its active models cannot be checked.") % {"provider": provider})
            self.report_drift(drifts)

        flagged = [drift for drift in drifts if drift.flags]
        if flagged:
            raise CommandError(
                ngettext("%(count)s active model is flagged.", "%(count)s active models are flagged.", len(flagged))
                % {"count": len(flagged)},
                returncode=FAILED,
            )
        unchecked = [drift for drift in drifts if not drift.checked]
        if unchecked:
            raise CommandError(
                _("Could not check %(models)s: no catalog of their provider could be read.")
                % {"models": ", ".join(f"{d.model.provider.slug}:{clean(d.model.model_id)}" for d in unchecked)},
                returncode=UNCHECKED,
            )

    # --- providers ---------------------------------------------------------------------------

    def handle_providers(self, test=False, as_json=False, **options):
        backends = enabled_providers()
        rows = {row.slug: row for row in Provider.objects.all()}
        statuses = {status.provider: status for status in catalog.provider_statuses([b.id for b in backends])}
        tests = self.run_tests(backends) if test else {}
        disabled = [row for slug, row in rows.items() if slug not in {backend.id for backend in backends}]

        if as_json:
            report = []
            for backend in backends:
                status = statuses.get(backend.id)
                item = {
                    "provider": backend.id,
                    "name": str(backend.name),
                    "enabled": True,
                    "base_url": backend.base_url,
                    "key_source": backend.key_source,
                    "key": key_description(backend, rows.get(backend.id)),
                    "status": status_json(status) if status is not None else None,
                }
                if item["status"]:
                    item["status"]["error"] = redact(item["status"]["error"], backend.api_key)
                if test:
                    item["test"] = tests[backend.id]
                report.append(item)
            report += [
                {"provider": row.slug, "name": str(row), "enabled": False, "base_url": row.base_url,
                 "key_source": "", "key": "", "status": None}
                for row in disabled
            ]
            self.emit_json(report)
        else:
            headers = [_("provider"), _("name"), _("key"), _("status")] + ([_("test")] if test else [])
            lines = []
            for backend in backends:
                status = statuses.get(backend.id)
                line = [backend.id, clean(backend.name, 30), key_description(backend, rows.get(backend.id)),
                        short_status(status)]
                if test:
                    line.append(describe_test(backend.id, tests[backend.id]))
                lines.append(line)
            lines += [[row.slug, clean(row, 30), "", _("disabled")] + ([""] if test else []) for row in disabled]
            self.stdout.write(table(headers, lines))
            for backend in backends:
                status = statuses.get(backend.id)
                if status is not None and status.error:
                    self.warn(_("%(provider)s: last error: %(error)s")
                              % {"provider": backend.id,
                                 "error": clean(without_prefix(redact(status.error, backend.api_key), backend.id))})
                result = tests.get(backend.id)
                if result is not None and not result["ok"]:
                    self.warn(_("%(provider)s: connection test failed: %(error)s")
                              % {"provider": backend.id, "error": clean(without_prefix(result["error"], backend.id))})

        if not backends:
            self.warn(_("No provider is enabled: set AI_MODELS['PROVIDERS'] or add one in the admin."))
        failed = sorted(provider for provider, result in tests.items() if not result["ok"])
        if failed:
            raise CommandError(
                _("Connection test failed for: %(providers)s.") % {"providers": ", ".join(failed)}, returncode=FAILED
            )

    def run_tests(self, backends) -> dict:
        """Fetch every catalog now, in parallel: provider id -> {ok, models, seconds, error}."""

        def run(backend):
            start = time.monotonic()
            try:
                models = backend.fetch_catalog()
            except Exception as err:  # noqa: BLE001  (a test reports any failure, it never crashes)
                text = str(err) if isinstance(err, AIModelsError) else f"{type(err).__name__}: {err}"
                return {"ok": False, "models": None, "seconds": round(time.monotonic() - start, 3),
                        "error": redact(text, backend.api_key)}
            return {"ok": True, "models": len(models), "seconds": round(time.monotonic() - start, 3), "error": ""}

        if not backends:
            return {}
        with ThreadPoolExecutor(max_workers=len(backends)) as pool:
            return dict(zip([b.id for b in backends], pool.map(run, backends)))

    # --- rotate_keys -------------------------------------------------------------------------

    def handle_rotate_keys(self, **options):
        with transaction.atomic():
            count = 0
            for row in Provider.objects.select_for_update().exclude(api_key_encrypted="").order_by("pk"):
                try:
                    row.api_key_encrypted = crypto.rotate(row.api_key_encrypted)
                except EncryptionError as err:
                    # Raising inside atomic() rolls back the keys already rotated.
                    raise CommandError(
                        _("Cannot rotate the stored API key of provider %(provider)s: %(error)s Nothing was changed.")
                        % {"provider": row.slug, "error": err},
                        returncode=FAILED,
                    ) from None
                row.save(update_fields=["api_key_encrypted", "updated_at"])
                count += 1
        self.stdout.write(
            _("Re-encrypted %(count)s stored API keys under the first key of AI_MODELS['ENCRYPTION_KEYS'].")
            % {"count": count}
        )
