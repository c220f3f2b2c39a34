"""Pin the active AI models in your project's tests, without the admin and without network.

As a context manager, or as a decorator of a test function::

    from ai_models.testing import active_models

    def test_reply(client):
        with active_models({"chat": "snapshot:openai/gpt-4.1-mini"}):
            response = client.post("/api/chat/", {"prompt": "Hi"})

    @active_models(chat="openai:gpt-4.1-mini", image="snapshot:openai/gpt-image-1")
    def test_pages(client):
        ...

In a ``django.test.TestCase`` or ``TransactionTestCase`` (a decorator takes functions, not
classes), in ``setUp``; sync and ``async def`` tests (and views) then see the pin, and
``async with`` pins inside an async test::

    class ReplyTests(TestCase):
        def setUp(self):
            self.pinned = self.enterContext(active_models({"chat": "snapshot:openai/gpt-4.1-mini"}))

        async def test_image(self):
            async with active_models(image="snapshot:openai/gpt-image-1"):
                response = await self.async_client.get("/image/")

As a pytest fixture, after enabling the plugin in your pytest configuration (``pytest.ini``, or
``[tool.pytest.ini_options]`` in ``pyproject.toml``), wherever your ``conftest.py`` files are::

    addopts = -p ai_models.testing

    def test_reply(ai_active_models, client):
        pinned = ai_active_models({"chat": "snapshot:openai/gpt-4.1-mini"})
        assert pinned["chat"].model_id == "openai/gpt-4.1-mini"

    @pytest.mark.asyncio
    async def test_async_reply(ai_active_models, async_client):
        await sync_to_async(ai_active_models)(chat="snapshot:openai/gpt-4.1-mini")

(An ``async def`` test using the fixture runs on a transactional database: see the fixture.)

(``pytest_plugins = ["ai_models.testing"]`` works too, but only in the root ``conftest.py``.)

Models are given as ``"provider:model_id"`` strings or as ``CatalogModel`` objects. A string
naming a model of the ``snapshot`` provider takes its entry from the snapshot file; any other
string becomes a minimal entry for the capability. No catalog is fetched, so nothing touches
the network. The ``Provider`` and ``AIModel`` rows are created through
``ai_models.activation.activate``, so ``get_active_model`` returns what a real activation gives.
On exit, the models active before are active again and capabilities that had none have none.

Database access is needed (``@pytest.mark.django_db``, ``django.test.TestCase``); the fixture
asks for it itself.

Code written for the SDK works on a ``snapshot:`` pin too: ``model.openai_client()`` and
``model.async_openai_client()`` talk to the snapshot's OpenAI-compatible fake in this process
(``providers/snapshot_api.py``: models, chat completions with or without ``stream=True``,
embeddings), with no socket and no key.
"""

import functools
import inspect
from contextlib import ContextDecorator

from .capabilities import CHAT, capability_kind
from .providers.base import CatalogModel

try:
    import pytest
except ImportError:  # only the fixture needs pytest
    pytest = None

VIA = "tests"


def catalog_entry(model, capability: str) -> CatalogModel:
    """The ``CatalogModel`` to activate for ``model`` (a ``CatalogModel`` or ``"provider:model_id"``).

    Raises ``ValueError`` for a malformed string, ``UnknownProvider`` for an unregistered
    provider, and ``LookupError`` for a model its snapshot file does not list.
    """
    if isinstance(model, CatalogModel):
        return model
    # Model ids may hold colons ("openai/gpt-4o:free"); provider ids never do.
    provider_id, sep, model_id = str(model).partition(":")
    if not (sep and provider_id and model_id):
        raise ValueError(f"Give models as 'provider:model_id' strings or CatalogModel objects, not {model!r}.")
    entry = _snapshot_entry(provider_id, model_id)
    if entry is not None:
        return entry
    kind = capability_kind(capability) or CHAT
    return CatalogModel(
        provider=provider_id,
        model_id=model_id,
        name=model_id,
        kinds=frozenset({kind}),
        capabilities=frozenset({capability}),
        reasons={kind: "pinned in tests"},
    )


def _snapshot_entry(provider_id, model_id):
    """The model's entry when a snapshot file (local, no network) serves the provider, else None."""
    from .providers import build_provider, get_provider
    from .providers.snapshot import SnapshotProvider

    if not issubclass(get_provider(provider_id), SnapshotProvider):
        return None
    entries = build_provider(provider_id).fetch_catalog()
    for entry in entries:
        if entry.model_id == model_id:
            return entry
    raise LookupError(
        f"The {provider_id} snapshot lists no model {model_id!r}. "
        f"It lists: {', '.join(entry.model_id for entry in entries)}."
    )


class active_models(ContextDecorator):
    """Make the given models the active ones; put the previous ones back on exit.

    ``active_models({"chat": "snapshot:openai/gpt-4.1-mini"})`` or
    ``active_models(chat="snapshot:openai/gpt-4.1-mini")``. Entering returns the pinned
    ``AIModel`` rows by capability. Raises what ``activation.activate`` raises (e.g.
    ``UnknownCapability``), in which case nothing is changed.
    """

    def __init__(self, models=None, /, **by_capability):
        self.models = {**(models or {}), **by_capability}
        self._saved = []  # per entry still open: capability -> the AIModel active before, or None

    def __call__(self, func):
        if isinstance(func, type):
            # ContextDecorator would silently turn a test class into a function.
            raise TypeError("active_models decorates test functions; in a TestCase class, use it in setUp().")
        if inspect.iscoroutinefunction(func):
            # ContextDecorator would pin and unpin before the coroutine even starts.
            @functools.wraps(func)
            async def pinned(*args, **kwargs):
                async with self._recreate_cm():
                    return await func(*args, **kwargs)

            return pinned
        return super().__call__(func)

    async def __aenter__(self) -> dict:
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.__enter__)()

    async def __aexit__(self, *exc_info):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.__exit__)(*exc_info)

    def __enter__(self) -> dict:
        from django.db import transaction

        from . import activation

        previous, pinned = {}, {}
        with transaction.atomic():
            for capability, model in self.models.items():
                # A pin is deliberate: it overrides every gate (kind, requirements, ceiling...).
                change = activation.activate(catalog_entry(model, capability), capability, via=VIA,
                                             overrides=activation.OVERRIDABLE)
                previous[capability], pinned[capability] = change.previous, change.model
        self._saved.append(previous)
        return pinned

    def __exit__(self, *exc_info):
        from django.db import connection, transaction

        from . import activation

        previous = self._saved.pop()
        if connection.needs_rollback:
            # The test broke the transaction around this block; its rollback undoes the pins too.
            return False
        with transaction.atomic():
            for capability, aimodel in previous.items():
                if aimodel is None:
                    activation.deactivate(capability, via=VIA)
                else:
                    activation.reactivate(aimodel, via=VIA, overrides=activation.OVERRIDABLE)
        return False


def _is_async(item) -> bool:
    return inspect.iscoroutinefunction(getattr(item, "obj", None))


if pytest is not None:

    @pytest.hookimpl(tryfirst=True)  # before pytest-django orders the tests by the database they use
    def pytest_collection_modifyitems(items):
        """A test using ``ai_active_models`` uses the database: a transactional one when it is
        ``async def`` (see the fixture)."""
        for item in items:
            names = getattr(item, "fixturenames", ())
            wanted = "transactional_db" if _is_async(item) else "db"
            if "ai_active_models" in names and wanted not in names and "transactional_db" not in names:
                names.insert(0, wanted)

    @pytest.fixture
    def ai_active_models(request):
        """Factory: ``ai_active_models({"chat": "provider:model_id"})`` pins models until the test ends.

        Returns the pinned ``AIModel`` rows by capability, like ``active_models``. In an ``async def``
        test, call it as ``await sync_to_async(ai_active_models)(...)``: the test then runs on a
        transactional database (as ``django_db(transaction=True)``), because its database calls run
        in another thread than the test's transaction would; the pins are undone when it ends.
        """
        if _is_async(request.node):
            from django.db import connection

            request.getfixturevalue("transactional_db")
            if connection.in_atomic_block:  # set up by a plugin before this one could say
                pytest.fail("ai_active_models in an async test needs @pytest.mark.django_db(transaction=True): "
                            "its pins are made in another thread than the test's transaction.")
        else:
            request.getfixturevalue("db")
        open_pins = []

        def pin(models=None, /, **by_capability):
            pinned = active_models(models, **by_capability)
            rows = pinned.__enter__()
            open_pins.append(pinned)
            return rows

        yield pin
        for pinned in reversed(open_pins):
            pinned.__exit__(None, None, None)
