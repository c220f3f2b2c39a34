"""The test helper (``ai_models.testing``) in a host project's own test run, sync and async alike.

A pin is seen by sync and async views in ``TestCase``, ``TransactionTestCase`` and ``async def``
pytest tests (anyio's plugin and pytest-asyncio), and never outlives its test: the run is made
twice, its tests in one order then in the reverse one, with tests that check nothing is pinned
between them. The host run is a pytest of its own (nothing of this suite's fixtures, such as the
memo cleared between tests), on its own SQLite file and locmem.
"""

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HOST_CONFTEST = """
pytest_plugins = ["ai_models.testing"]
"""

HOST_TESTS = '''
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import TestCase, TransactionTestCase, override_settings

from ai_models import NoActiveModel, aget_active_model, get_active_model
from ai_models.models import AIModel
from ai_models.testing import active_models

PIN = "snapshot:openai/gpt-4.1-mini"
PINNED = "openai/gpt-4.1-mini"
pytestmark = pytest.mark.urls("tests.host.urls")  # /chat/ (a sync view) and /achat/ (an async one)


def sync_view(client):
    return client.get("/chat/").content.decode()


async def async_view(async_client):
    return (await async_client.get("/achat/")).content.decode().split("|")[0]


# --- django.test: pinned in setUp, seen by sync and async tests and views ---------------------


class Pinned:
    def setUp(self):
        self.pinned = self.enterContext(active_models(chat=PIN))

    def test_sync(self):
        assert self.pinned["chat"].model_id == PINNED
        assert get_active_model("chat").model_id == PINNED
        assert sync_view(self.client) == PINNED
        assert async_to_sync(async_view)(self.async_client) == PINNED

    async def test_async(self):
        assert (await aget_active_model("chat")).model_id == PINNED
        assert await async_view(self.async_client) == PINNED
        assert await sync_to_async(sync_view)(self.client) == PINNED


@override_settings(ROOT_URLCONF="tests.host.urls")
class PinnedTestCase(Pinned, TestCase):
    pass


@override_settings(ROOT_URLCONF="tests.host.urls")
class PinnedTransactionTestCase(Pinned, TransactionTestCase):
    pass


@override_settings(ROOT_URLCONF="tests.host.urls")
class PinnedInsideAsyncTests(TestCase):
    async def test_async_with(self):
        async with active_models(chat=PIN):
            assert (await aget_active_model("chat")).model_id == PINNED
            assert await async_view(self.async_client) == PINNED

    @active_models(chat=PIN)
    async def test_decorated(self):
        assert (await aget_active_model("chat")).model_id == PINNED
        assert await async_view(self.async_client) == PINNED


@override_settings(ROOT_URLCONF="tests.host.urls")
class PinnedAfterNone(TestCase):
    """An earlier test saw none; then a pin, and an async view is the first to look."""

    async def test_1_nothing_yet(self):
        assert await async_view(self.async_client) == "none"

    async def test_2_pinned(self):
        async with active_models(chat=PIN):
            assert await async_view(self.async_client) == PINNED


# --- pytest: the ai_active_models fixture -----------------------------------------------------


def test_fixture_sync(ai_active_models, client, async_client):
    ai_active_models(chat=PIN)
    assert sync_view(client) == PINNED
    assert async_to_sync(async_view)(async_client) == PINNED


@pytest.mark.anyio
async def test_fixture_async_anyio(ai_active_models, async_client):
    await sync_to_async(ai_active_models)(chat=PIN)
    assert (await aget_active_model("chat")).model_id == PINNED
    assert await async_view(async_client) == PINNED


@pytest.mark.asyncio
@pytest.mark.django_db  # not transactional as written: the fixture makes it so
async def test_fixture_async_pytest_asyncio(ai_active_models, async_client):
    await sync_to_async(ai_active_models)(chat=PIN)
    assert (await aget_active_model("chat")).model_id == PINNED
    assert await async_view(async_client) == PINNED


@pytest.mark.anyio
async def test_fixture_async_asking_for_db_too(db, ai_active_models):
    await sync_to_async(ai_active_models)(chat=PIN)
    assert (await aget_active_model("chat")).model_id == PINNED


# --- nothing pinned: a pin that outlived its test fails these ---------------------------------


class Nothing:
    def test_sync(self):
        assert sync_view(self.client) == "none"
        assert async_to_sync(async_view)(self.async_client) == "none"
        assert AIModel.objects.count() == 0

    async def test_async(self):
        with pytest.raises(NoActiveModel):
            await aget_active_model("chat")
        assert await async_view(self.async_client) == "none"


@override_settings(ROOT_URLCONF="tests.host.urls")
class NothingPinnedTestCase(Nothing, TestCase):
    pass


@override_settings(ROOT_URLCONF="tests.host.urls")
class NothingPinnedTransactionTestCase(Nothing, TransactionTestCase):
    pass


@pytest.mark.django_db
def test_nothing_pinned_sync(client):
    assert sync_view(client) == "none"
    assert AIModel.objects.count() == 0


async def nothing_pinned_async(async_client):
    with pytest.raises(NoActiveModel):
        await aget_active_model("chat")
    assert await async_view(async_client) == "none"
    assert await AIModel.objects.acount() == 0


@pytest.mark.anyio
@pytest.mark.django_db  # its async calls run outside its transaction: they see what was committed
async def test_nothing_pinned_async(async_client):
    await nothing_pinned_async(async_client)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)  # runs among the transactional tests
async def test_nothing_pinned_async_transactional(async_client):
    await nothing_pinned_async(async_client)
'''


@pytest.fixture
def host_project(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(HOST_CONFTEST))
    (tmp_path / "test_pins.py").write_text(textwrap.dedent(HOST_TESTS))
    return tmp_path


def host_pytest(project, *args):
    # A SQLite file of its own (threads share it, as they share a server database) and locmem:
    # the outer run may hold a PostgreSQL test database and a Redis db.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        "AI_MODELS_TEST_DB": "sqlite",
        "AI_MODELS_TEST_SQLITE": str(project / "host.sqlite3"),
        "AI_MODELS_TEST_CACHE": "locmem",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(project),
         "-o", "asyncio_default_fixture_loop_scope=function", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )


def host_test_ids(project):
    """The host tests' ids, in file order."""
    listed = host_pytest(project, "--collect-only", "-q", str(project / "test_pins.py"))
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return [line for line in listed.stdout.splitlines() if "::" in line]


def ran(result) -> list:
    assert result.returncode == 0, result.stdout + result.stderr
    return [line.split(" ")[0] for line in result.stdout.splitlines() if " PASSED" in line]


@pytest.mark.skipif(not importlib.util.find_spec("pytest_asyncio"), reason="needs pytest-asyncio")
def test_pins_in_sync_and_async_tests_never_leak_in_either_order(host_project):
    ids = host_test_ids(host_project)
    forward = ran(host_pytest(host_project, "-v", *ids))  # -v: one line per test, in the order run
    backward = ran(host_pytest(host_project, "-v", *reversed(ids)))
    assert sorted(forward) == sorted(backward) == sorted(ids) and len(ids) == 19
    assert backward != forward
    # pytest-django runs transactional tests after the others, whatever the order asked; within
    # that, each pin is followed by sync and async checks in one run or the other.
    checks = {test for test in ids if "othing" in test}
    for pin in set(ids) - checks:
        followed = {test for run in (forward, backward) for test in run[run.index(pin):] if test in checks}
        assert any("sync" in test and "async" not in test for test in followed), pin
        assert any("async" in test for test in followed), pin
