"""A provider for tests, yours and ours (as django-anymail ships a test backend): no network, what
it lists and how it fails set per test, every fetch and call recorded.

Enable it under any id, once or several times::

    AI_MODELS = {"PROVIDERS": {"acme": {"CLASS": "ai_models.providers.test.TestProvider"}}}

Each id lists ``DEFAULT_COUNT`` generated models (``generated``) until a test scripts it::

    from ai_models.providers import test as test_provider

    test_provider.script("acme", models=[entry, ...])      # CatalogModel objects or their to_json() dicts
    test_provider.script("acme", error=ProviderUnavailable("acme", "down"))   # every fetch fails
    test_provider.script("acme", answer="error")           # calls fail (503); see ``Script``
    test_provider.fetches["acme"], test_provider.outbox    # list fetches; calls made (``Call``)
    test_provider.reset()                                  # between tests

A script's ``models``, ``error``, ``answer`` and ``text`` may also be functions, asked on each
fetch or call, so a test can change what the provider does between two requests.

Options (``AI_MODELS["PROVIDERS"][id]``): ``COUNT`` generated models instead of the default,
``REQUIRES_KEY`` to need an API key like a real provider (``API_KEY`` / ``API_KEY_ENV`` as usual).
A subclass may set ``id``, ``name``, ``api_key_env`` and ``requires_key`` as a real provider does,
and ``behaviour``: the script its id follows until a test scripts it.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as tz
from decimal import Decimal

from ..exceptions import ProviderAuthError, ProviderUnavailable
from .base import BaseProvider, CatalogModel, Generation
from .results import Moderation, Ranked, Ranking, Transcription

DEFAULT_COUNT = 3
PNG = b"\x89PNG\r\n\x1a\n" + bytes(92)  # what an image call answers: 100 bytes
MP3 = b"ID3\x04 test audio"


@dataclass
class Script:
    """What one provider id does: what it lists and how its fetches and calls behave."""

    models: object = None  # None or an int: that many ``generated`` models; CatalogModel objects or dicts;
    # or a function of the backend returning them
    error: object = None  # an exception every fetch raises, or a function of the backend returning one (or None)
    delay: float = 0.0  # seconds each fetch takes
    before: object = None  # called at the start of each fetch (a test synchronizing threads)
    answer: object = "ok"  # calls: "ok"; "error" (HTTP 503), "timeout", "reject" (401), "hang" (until
    # released); or a function of the model id returning one of them
    text: object = "OK"  # what a chat call answers, or a function of the messages returning it
    mime_type: str = "image/png"  # of what an image call answers
    released: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Call:
    """One call made through the provider (kept in ``outbox``)."""

    provider: str
    kind: str  # "chat", "embed", "image", "speech", "transcribe", "moderate", "rerank"
    model_id: str
    details: dict


outbox: list = []
fetches: Counter = Counter()
_scripts: dict = {}
_lock = threading.Lock()


def script(provider_id: str = "test", **behaviour) -> Script:
    """Set what ``provider_id`` does from now on (``Script``'s fields); returns the script."""
    with _lock:
        _scripts[provider_id] = Script(**behaviour)
        return _scripts[provider_id]


def scripted(provider_id: str, default: dict | None = None) -> Script:
    """The script of ``provider_id``; one made of ``default`` (kept) when none was set."""
    with _lock:
        if provider_id not in _scripts:
            _scripts[provider_id] = Script(**(default or {}))
        return _scripts[provider_id]


def release(provider_id: str = "test"):
    """Let the hanging calls of ``provider_id`` answer."""
    scripted(provider_id).released.set()


def reset():
    """Forget every script, fetch and call; release whatever hangs."""
    with _lock:
        for item in _scripts.values():
            item.released.set()
        _scripts.clear()
        outbox.clear()
        fetches.clear()


def generated(count: int, prefix: str = "model") -> list[dict]:
    """``count`` models in to_json() form: every seventh from the fourth an image model, the others
    chat; every third free, every fifth with no price, every fourth with no context window."""
    items = []
    for n in range(count):
        kind = "image" if n % 7 == 3 else "chat"
        price = None if n % 5 == 0 else (Decimal(0) if n % 3 == 0 else Decimal(n % 17) + Decimal("0.25"))
        items.append(CatalogModel(
            provider="",
            model_id=f"{prefix}-{n:05d}",
            name=f"{prefix.title()} {n}",
            description=f"Test model number {n} for {'pictures' if kind == 'image' else 'conversation'}.",
            kinds=frozenset({kind}),
            reasons={kind: "the test provider says so"},
            context_window=None if n % 4 == 0 else 1000 * (n % 50 + 1),
            input_price=price,
            output_price=None if price is None else price * 2,
            created=datetime.fromtimestamp(1_700_000_000 + 86_400 * (n % 365), tz=tz.utc),
            input_modalities=("text",),
            output_modalities=("image",) if kind == "image" else ("text",),
        ).to_json())
    return items


class TestProvider(BaseProvider):
    """Lists what ``script`` set for its id (generated models otherwise) and answers calls locally."""

    __test__ = False  # not a test class, for pytest
    id = "test"
    name = "Test provider"
    requires_key = False
    default_options = {"COUNT": None, "REQUIRES_KEY": False}
    behaviour: dict = {}  # a subclass's script until a test sets one (``Script``'s fields)

    @property
    def script(self) -> Script:
        return scripted(self.id, self.behaviour)

    def require_key(self, always: bool = False):
        """Needs a key only when it ``requires_key`` (or the ``REQUIRES_KEY`` option): then to list and to call."""
        if self.requires_key or self.option("REQUIRES_KEY") or self.key_error:
            super().require_key(always=True)

    def fetch_payload(self):
        with _lock:
            fetches[self.id] += 1
        behaviour = self.script
        if behaviour.before:
            behaviour.before()
        if behaviour.delay:
            time.sleep(behaviour.delay)
        error = behaviour.error(self) if callable(behaviour.error) else behaviour.error
        if error is not None:
            raise error
        models = behaviour.models(self) if callable(behaviour.models) else behaviour.models
        if models is None or isinstance(models, int):
            return generated(models if models is not None else int(self.option("COUNT") or DEFAULT_COUNT), self.id)
        return [model.to_json() if isinstance(model, CatalogModel) else model for model in models]

    items_key = None  # the payload is the list itself

    @classmethod
    def parse_model(cls, item):
        raw = {key: value for key, value in item.items() if key != "raw"}  # what the provider "sent"
        return CatalogModel.from_json({**item, "provider": cls.id, "raw": raw})

    # -- calls -----------------------------------------------------------------------------

    def _call(self, kind: str, model_id: str, **details):
        self.require_key()
        with _lock:
            outbox.append(Call(self.id, kind, model_id, details))
        behaviour = self.script
        answer = behaviour.answer(model_id) if callable(behaviour.answer) else behaviour.answer
        if answer == "hang":
            behaviour.released.wait(30)
        elif answer == "error":
            raise ProviderUnavailable(self.id, "server error after 3 attempts", status=503)
        elif answer == "timeout":
            raise ProviderUnavailable(self.id, "timed out after 2 retries")
        elif answer == "reject":
            raise ProviderAuthError(self.id, "the API key was rejected", status=401)
        return behaviour

    def chat(self, model_id, messages, **params):
        behaviour = self._call("chat", model_id, messages=messages, **{**self.parameters, **params})
        text = behaviour.text(messages) if callable(behaviour.text) else behaviour.text
        return Generation(kind="text", provider=self.id, model_id=model_id, text=text)

    def embed(self, model_id, texts):
        self._call("embed", model_id, texts=list(texts))
        return Generation(kind="embedding", provider=self.id, model_id=model_id, vectors=tuple((0.0, 1.0) for _ in texts))

    def generate_image(self, model_id, prompt, *, size=None):
        behaviour = self._call("image", model_id, prompt=prompt, size=size)
        return Generation(kind="image", provider=self.id, model_id=model_id, data=PNG, mime_type=behaviour.mime_type)

    def synthesize_speech(self, model_id, text, *, voice=None, audio_format=None):
        self._call("speech", model_id, text=text, voice=voice, audio_format=audio_format)
        return Generation(kind="audio", provider=self.id, model_id=model_id, data=MP3, mime_type="audio/mpeg")

    def transcribe(self, model_id, audio, *, filename="clip.wav", mime_type="audio/wav", language=""):
        self._call("transcribe", model_id, size=len(audio), language=language)
        return Transcription(self.id, model_id, text="test")

    def moderate(self, model_id, text):
        self._call("moderate", model_id, text=text)
        return Moderation(self.id, model_id, flagged=False)

    def rerank(self, model_id, query, documents):
        self._call("rerank", model_id, query=query, documents=list(documents))
        return Ranking(self.id, model_id, results=[Ranked(index=i, score=1.0 - i / 10) for i in range(len(documents))])
