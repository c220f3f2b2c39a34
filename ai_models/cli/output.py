"""What every subcommand prints: plain-text tables or ``--json``, one-line errors, and the formats they share.

Provider text is untrusted: ``clean`` drops control characters so it cannot drive the terminal, and
shows the characters that hide or reorder text as ``[U+XXXX]`` (``ai_models.visible``).
"""

import json
import re

from django.core.management.base import CommandError
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ..conf import ai_settings
from ..prices import EMPTY
from ..sharedcache import is_process_local
from ..visible import visible

FAILED = 1  # a provider or an operation failed
USAGE = 2  # the arguments name something that does not exist (argparse also exits 2)
UNCHECKED = 3  # watch: nothing flagged, but some active model could not be checked

DASH = EMPTY

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def local_cache_note(testing: bool = False) -> str:
    """With a process-local cache, why this command cannot see what the site fetched ("" otherwise).

    ``testing``: said by ``providers --test``, whose test column is that fetch, made now."""
    if not is_process_local():
        return ""
    if testing:
        return " " + _(
            "in this process (the cache %(alias)r is private to each process, so what the site or another "
            "command fetched is not visible here; the test column is a fetch made now)"
        ) % {"alias": ai_settings.CACHE}
    return " " + _(
        "in this process (the cache %(alias)r is private to each process, so what the site or another "
        "command fetched is not visible here; use a shared cache, or run `providers --test`)"
    ) % {"alias": ai_settings.CACHE}


class Output:
    """The command's streams: results on stdout, warnings and notes on stderr."""

    def __init__(self, command):
        self.stdout, self.stderr, self.style = command.stdout, command.stderr, command.style

    def line(self, text):
        self.stdout.write(text)

    def table(self, headers, rows):
        self.stdout.write(table(headers, rows))

    def json(self, data):
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def warn(self, message):
        self.stderr.write(message, style_func=self.style.WARNING)

    def note(self, message):
        self.stderr.write(message, style_func=lambda text: text)


def fail(message, returncode=FAILED):
    """A one-line error and its exit status."""
    return CommandError(message, returncode=returncode)


def clean(text, limit=None) -> str:
    """``text`` on one line without control characters, hidden ones shown, cut to ``limit`` characters."""
    text = visible(_CONTROL.sub(" ", str(text or "")).strip())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def table(headers, rows) -> str:
    """Plain-text columns, left-aligned, two spaces apart."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(str(header))] + [len(row[i]) for row in rows]) for i, header in enumerate(headers)]
    lines = [[str(header) for header in headers], ["-" * width for width in widths], *rows]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)


def format_context(value) -> str:
    return f"{value:,}" if value else DASH


def without_prefix(error: str, provider: str) -> str:
    """A provider error without its leading "provider: " when the line already names it."""
    return error.removeprefix(f"{provider}: ")


def age(status) -> str:
    return timesince(status.fetched_at, depth=1) if status.fetched_at else "?"


def status_json(status) -> dict:
    age_delta = status.age
    return {
        "provider": status.provider,
        "name": status.name,
        "state": status.state,
        "fetched_at": status.fetched_at.isoformat() if status.fetched_at else None,
        "age_seconds": int(age_delta.total_seconds()) if age_delta is not None else None,
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
        "age": age(status),
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
        line = _("%(provider)s: not fetched yet") % values + local_cache_note()
    if status.skipped:
        line += " " + _("(%(skipped)s malformed entries skipped)") % {"skipped": status.skipped}
    return line
