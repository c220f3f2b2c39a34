"""``ai_models providers``: the configured providers, where each key comes from (never the key), and their status."""

import time
from concurrent.futures import ThreadPoolExecutor

from django.utils.translation import gettext as _

from .. import catalog
from ..exceptions import AIModelsError, redact
from ..models import Provider
from .output import age, clean, fail, local_cache_note, status_json, without_prefix


def add_parser(sub):
    p = sub.add_parser("providers", help=_("Show the configured providers, key source and status."))
    p.add_argument("--test", action="store_true", help=_("Fetch each catalog now to test the connection."))
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))


def run(out, test=False, as_json=False, **options):
    backends = Provider.objects.backends()
    rows = {row.slug: row for row in Provider.objects.all()}
    statuses = {status.provider: status for status in catalog.provider_statuses([b.id for b in backends])}
    tests = _run_tests(backends) if test else {}
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
        out.json(report)
    else:
        headers = [_("provider"), _("name"), _("key"), _("status")] + ([_("test")] if test else [])
        lines = []
        for backend in backends:
            line = [backend.id, clean(backend.name, 30), key_description(backend, rows.get(backend.id)),
                    short_status(statuses.get(backend.id), testing=test)]
            if test:
                line.append(_describe_test(backend.id, tests[backend.id]))
            lines.append(line)
        lines += [[row.slug, clean(row, 30), "", _("disabled")] + ([""] if test else []) for row in disabled]
        out.table(headers, lines)
        for backend in backends:
            status = statuses.get(backend.id)
            if status is not None and status.error:
                out.warn(_("%(provider)s: last error: %(error)s")
                         % {"provider": backend.id,
                            "error": clean(without_prefix(redact(status.error, backend.api_key), backend.id))})
            result = tests.get(backend.id)
            if result is not None and not result["ok"]:
                out.warn(_("%(provider)s: connection test failed: %(error)s")
                         % {"provider": backend.id, "error": clean(without_prefix(result["error"], backend.id))})

    if not backends:
        out.warn(_("No provider is enabled: set AI_MODELS['PROVIDERS'] or add one in the admin."))
    failed = sorted(provider for provider, result in tests.items() if not result["ok"])
    if failed:
        raise fail(_("Connection test failed for: %(providers)s.") % {"providers": ", ".join(failed)})


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


def short_status(status, testing: bool = False) -> str:
    """"fresh, 342 models, 5 minutes old" for the providers table (``testing``: under ``--test``)."""
    if status is None or status.state == "never":
        return _("not fetched yet") + local_cache_note(testing)
    if status.state == "failed":
        return _("failed")
    return _("%(state)s, %(count)s models, %(age)s old") % {
        "state": status.label,
        "count": status.count,
        "age": age(status),
    }


def _describe_test(provider, result) -> str:
    if result["ok"]:
        return _("ok: %(models)s models in %(seconds).1f s") % result
    return _("failed: %(error)s") % {"error": clean(without_prefix(result["error"], provider), 80)}


def _run_tests(backends) -> dict:
    """Fetch every catalog now, in parallel: provider id -> {ok, models, seconds, error}."""

    def run_one(backend):
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
        return dict(zip([b.id for b in backends], pool.map(run_one, backends)))
