"""The exceptions django-ai-models raises (all derive from ``AIModelsError``), and how to
show or log an error without the API key in it."""

import base64
import re
import traceback
from functools import lru_cache
from urllib.parse import quote, quote_plus

from django.core.exceptions import PermissionDenied

REDACTED = "[redacted]"


def _base64_cores(secret: bytes) -> set[str]:
    """What ``secret`` looks like inside any base64 text, at each of the three alignments.

    Characters that also depend on the bytes around the secret are left out, so the core
    matches whatever surrounds it (``Bearer sk-...`` encoded as a whole, say).
    """
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode()
        start = (offset * 4 + 2) // 3  # the first character fed by the secret alone
        end = (offset + len(secret)) // 3 * 4  # up to the last whole group
        core = encoded[start:end]
        if len(core) >= 8:
            cores |= {core, core.replace("+", "-").replace("/", "_")}  # standard and url-safe alphabets
    return cores


@lru_cache(maxsize=32)
def _forms(secret: str) -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern]:
    """``(forms compared ignoring case, lower-cased; base64 cores; a pattern matching any of them)``."""
    # The key as is, in any case, reversed, url-encoded (either hex case) and base64-encoded.
    plain = sorted({secret, secret[::-1], quote(secret, safe=""), quote_plus(secret, safe="")}, key=len, reverse=True)
    cores = sorted(_base64_cores(secret.encode()), key=len, reverse=True)
    pattern = "(?i:" + "|".join(map(re.escape, plain)) + ")" + "".join("|" + re.escape(core) for core in cores)
    return tuple(form.lower() for form in plain), tuple(cores), re.compile(pattern)


# Unicode's format characters (category Cf: zero-width spaces and joiners, bidi controls, soft
# hyphens...): invisible, so a key split by one reads as the key. Generated from Unicode 15.0;
# tests/providers/test_decoding.py checks it against the running Python's Unicode database.
FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _holds(text: str, secret: str) -> bool:
    plain, cores, _pattern = _forms(secret)
    lowered = text.lower()
    # Plain substring tests: fast on a whole provider answer, where a regex scan is not.
    return any(form in lowered for form in plain) or any(core in text for core in cores)


def contains_secret(text: str, secret: str) -> bool:
    """Whether ``text`` holds ``secret`` (an API key) or an obvious transform of it, once its format
    characters are removed."""
    if not secret or len(secret) < 4:
        return False
    if _holds(text, secret):
        return True
    return FORMAT_CHARACTERS.search(text) is not None and _holds(FORMAT_CHARACTERS.sub("", text), secret)


class Told(str):
    """A translated message that remembers its msgid and parameters, so it can be told again in
    another language: provider errors are kept in the shared cache and read by staff in theirs."""

    msgid: str
    params: object

    def __new__(cls, msgid: str, params=None):
        from django.utils.translation import gettext

        text = gettext(msgid)
        told = super().__new__(cls, text % params if params is not None else text)
        told.msgid, told.params = msgid, params
        return told

    def __mod__(self, params):
        return Told(self.msgid, params)

    def parts(self) -> dict:
        """What ``tell`` needs, as JSON-able data."""
        params = self.params
        if isinstance(params, dict):
            params = {key: _parts(value) for key, value in params.items()}
        elif params is not None:
            params = [_parts(value) for value in (params if isinstance(params, tuple) else (params,))]
        return {"msgid": self.msgid, "params": params}


def _parts(value):
    return value.parts() if isinstance(value, Told) else value


def tell(parts) -> str:
    """A message from ``Told.parts()``, in the active language."""
    if not isinstance(parts, dict) or "msgid" not in parts:
        return parts
    params = parts.get("params")
    if isinstance(params, dict):
        params = {key: tell(value) for key, value in params.items()}
    elif isinstance(params, list):
        params = tuple(tell(value) for value in params)
    return str(Told(parts["msgid"], params))


def redact(text: str, secret: str) -> str:
    """``text`` with ``secret`` (an API key) and its obvious transforms blanked out, should a
    backend ever echo it: upper or lower case, reversed, url-encoded, base64-encoded, or split by
    format characters (those are then removed from the whole text)."""
    if not contains_secret(text, secret):
        return text
    if not _holds(text, secret):
        text = FORMAT_CHARACTERS.sub("", text)
    return _forms(secret)[2].sub(REDACTED, text)


def log_unexpected(logger, message: str, error: BaseException, secret: str = ""):
    """Log ``error`` with its traceback, the key redacted: third-party code may quote it."""
    details = "".join(traceback.format_exception(error))
    logger.error("%s\n%s", message, redact(details, secret))


class AIModelsError(Exception):
    """Base class of every error raised by django-ai-models."""


class UnknownCapability(AIModelsError, ValueError):
    """A capability name that is not configured."""

    def __init__(self, capability, valid):
        self.capability = capability
        self.valid = list(valid)
        super().__init__(
            f"Unknown capability {capability!r}. Valid capabilities: {', '.join(self.valid)} "
            "(configure them in AI_MODELS['CAPABILITIES'])."
        )


class NoActiveModel(AIModelsError, LookupError):
    """No model is active for the capability asked for."""

    def __init__(self, capability):
        self.capability = capability
        super().__init__(
            f"No active AI model for capability {capability!r}. Activate one in the Django admin "
            "(AI models › Catalog models › Activate the selected model) or run "
            f"`manage.py ai_models activate PROVIDER MODEL_ID --capability {capability}`."
        )


class ActiveModelUnavailable(NoActiveModel):
    """The database could not be read (down, restarting) and this process has no earlier answer for
    the capability. A ``NoActiveModel``, so code that copes with none active copes with this too."""

    def __init__(self, capability, error: BaseException):
        self.capability = capability
        self.error = error
        AIModelsError.__init__(
            self,
            f"The active AI model for capability {capability!r} could not be read: the database is unavailable "
            f"({type(error).__name__}) and this process has read none before. It is tried again shortly.",
        )


class BudgetExceeded(AIModelsError):
    """A capability (or a user of it) reached its monthly budget and no cheaper fallback may serve."""

    def __init__(self, capability, limit, spent, user=None):
        self.capability, self.limit, self.spent, self.user = capability, limit, spent, user
        whose = f" for user {user}" if user is not None else ""
        super().__init__(
            f"The monthly budget of {capability!r}{whose} is spent: {spent} of {limit} USD. Raise it in the "
            "Django admin (AI models › Budgets), or wait for next month."
        )


class ActivationError(AIModelsError):
    """A change of what serves a capability could not be carried out; nothing was changed."""


class ActivationRefused(ActivationError):
    """A gate refused the change (``ai_models.activation.GATES``) and no permitted override was given.

    ``outcomes``: the blocking gate outcomes, each with ``key`` (the gate: "kind", "requirements",
    "ceiling", "expired", "embedding", "trial"), ``message`` (translated), ``permitted`` (whether
    the user may override it: pass its key in ``overrides``) and ``gate``; ``plan``: the whole plan.
    """

    def __init__(self, message, outcomes, plan=None):
        self.outcomes = tuple(outcomes)
        self.plan = plan
        super().__init__(message)

    @property
    def keys(self) -> tuple:
        """The keys of the gates that refused, in gate order."""
        return tuple(outcome.key for outcome in self.outcomes)

    @property
    def not_permitted(self) -> tuple:
        """The refusing outcomes this user may not override, whatever they send."""
        return tuple(outcome for outcome in self.outcomes if not outcome.permitted)


class ActivationBusy(ActivationError):
    """Another change of the same capability held it longer than the wait allows (or the database
    reported a deadlock or a collision): nothing was changed; try again."""


class ActivationNotPermitted(ActivationError, PermissionDenied):
    """The user lacks the permission the change needs (``permission``). Also Django's
    ``PermissionDenied``, so a view that lets it through answers 403, not 500."""

    def __init__(self, message, permission):
        self.permission = permission
        super().__init__(message)


class NoEarlierModel(ActivationError, LookupError):
    """A rollback was asked for a capability with no earlier model to go back to."""


class EncryptionError(AIModelsError):
    """A stored API key cannot be encrypted or decrypted with the configured keys."""


class StoredKeyWithheld(AIModelsError):
    """A stored API key is not sent: the base URL is not the one it was entered for."""


class ProviderError(AIModelsError):
    """A provider call failed. Names the provider; never contains the API key."""

    def __init__(self, provider, message, *, status=None, excerpt=None):
        self.provider = provider
        self.message = message
        self.status = status
        self.excerpt = excerpt
        super().__init__(self._text(message))

    def _text(self, message) -> str:
        text = f"{self.provider}: {message}"
        if self.status is not None:
            text += f" (HTTP {self.status})"
        if self.excerpt:
            text += f": {self.excerpt}"
        return text

    def parts(self) -> dict | None:
        """The error as data ``told_again`` can render in another language; None when its message
        is plain text (nothing to translate again)."""
        if not isinstance(self.message, Told):
            return None
        return {"provider": self.provider, "message": self.message.parts(), "status": self.status, "excerpt": self.excerpt}

    @classmethod
    def told_again(cls, parts) -> str:
        """The text of an error from ``parts()``, in the active language."""
        error = cls.__new__(cls)
        error.provider, error.status, error.excerpt = parts["provider"], parts.get("status"), parts.get("excerpt")
        return error._text(tell(parts["message"]))


class ProviderAuthError(ProviderError):
    """The provider rejected the API key (401/403) or one is needed and missing."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached, timed out, or kept failing (429/5xx)."""


class ProviderResponseError(ProviderError):
    """The provider answered with something we cannot use (not JSON, wrong shape, too large)."""


class ProviderUnsupported(ProviderError):
    """The provider backend cannot do what was asked (e.g. speech on a chat-only API)."""


class UnknownProvider(AIModelsError, LookupError):
    """No provider class is registered under the id."""
