"""The per-process memo of ``get_active_model``: 0 SQL warm, changes seen, nothing leaking.

The module-level ``_fresh_caches`` below replaces the suite's autouse fixture of the same name,
which clears the memo before every test: these tests must see what a host's test run sees.
"""

import json
import re
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from ai_models import NoActiveModel, activation, get_active_model
from ai_models.conf import ai_settings
from ai_models.models import AIModel
from tests.factories import catalog_model

ROOT = Path(__file__).resolve().parents[2]
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


@pytest.fixture(autouse=True)
def _fresh_caches():
    yield


def shared_cache(path):
    """A cache every process shares (files), so the SQLite leg runs the shared-cache path too."""
    return {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(path)}}


SHARED = shared_cache(Path(os.environ.get("TMPDIR", "/tmp")) / f"ai-models-memo-{os.getpid()}")


class ActivatedInOneTest:
    """Two tests in order: a model activated in the first is gone in the second (rollback)."""

    def test_1_activate(self):
        with pytest.raises(NoActiveModel):
            get_active_model("chat")  # memoized before the change
        activation.activate(catalog_model("leaky"), "chat")
        assert get_active_model("chat").model_id == "leaky"
        assert get_active_model("chat").model_id == "leaky"

    def test_2_after_the_rollback(self):
        assert AIModel.objects.count() == 0
        with pytest.raises(NoActiveModel):
            get_active_model("chat")


class NoLeakAcrossRollbacksLocmem(ActivatedInOneTest, TestCase):
    pass


@override_settings(CACHES=SHARED)
class NoLeakAcrossRollbacksSharedCache(ActivatedInOneTest, TestCase):
    pass


def test_a_savepoint_rolled_back_is_forgotten_too(db):
    from django.db import transaction

    activation.activate(catalog_model("kept"), "chat")
    with pytest.raises(RuntimeError), transaction.atomic():
        activation.activate(catalog_model("undone"), "chat")
        assert get_active_model("chat").model_id == "undone"
        raise RuntimeError
    assert get_active_model("chat").model_id == "kept"


@pytest.mark.django_db(transaction=True)
def test_warm_calls_with_a_shared_cache_run_no_sql(django_assert_num_queries):
    with override_settings(CACHES=SHARED):
        caches["default"].clear()
        activation.activate(catalog_model("a"), "chat")
        get_active_model("chat")
        with django_assert_num_queries(0):
            for _ in range(100):
                assert get_active_model("chat").model_id == "a"
    # An evicted or flushed version, a lost write: tests/host/test_freshness.py.


@pytest.mark.django_db(transaction=True)
def test_warm_calls_with_a_local_cache_check_the_database_at_most_once_a_second(django_assert_max_num_queries):
    activation.activate(catalog_model("a"), "chat")
    get_active_model("chat")
    with django_assert_max_num_queries(1):
        for _ in range(200):
            assert get_active_model("chat").model_id == "a"


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="tests.host.urls", CACHES=SHARED)
def test_atomic_requests_still_answer_warm_with_no_sql(client):
    caches["default"].clear()
    activation.activate(catalog_model("a"), "chat")
    connection.settings_dict["ATOMIC_REQUESTS"] = True
    try:
        assert client.get("/chat/").content == b"a"  # cold: loads
        with CaptureQueriesContext(connection) as queries:
            for _ in range(5):
                assert client.get("/chat/").content == b"a"
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False
    # Only the request's own transaction (BEGIN/COMMIT, as SQLite logs them) is left.
    assert [query["sql"] for query in queries if not TRANSACTION_CONTROL.match(query["sql"])] == []


@pytest.mark.django_db(transaction=True)
def test_a_change_made_in_this_process_is_seen_at_once_with_a_local_cache():
    activation.activate(catalog_model("a"), "chat")
    assert get_active_model("chat").model_id == "a"
    activation.activate(catalog_model("b"), "chat")
    assert get_active_model("chat").model_id == "b"


def run(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "tests.host.processes", *args], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True, timeout=120,
    ).stdout


@pytest.mark.skipif(connection.vendor != "sqlite", reason="two processes on one SQLite file")
def test_another_process_activating_is_seen_within_a_recheck_with_locmem(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        "AI_MODELS_TEST_SQLITE": str(tmp_path / "shared.sqlite3"),
        "AI_MODELS_TEST_CACHE": "locmem",
    }
    run("migrate", env=env)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "tests.host.processes", "watch", "30"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        assert watcher.stdout.readline().strip() == "ready"
        ready = time.time()
        time.sleep(1.5)  # the watcher's memo is warm and has checked the database since
        committed_at = float(run("activate", "from-elsewhere", env=env).strip())
        out, err = watcher.communicate(timeout=60)
    finally:
        watcher.kill()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["seen"] == "from-elsewhere", err
    recheck = ai_settings.ACTIVE_MODEL_RECHECK
    assert result["at"] - committed_at <= recheck + 0.5
    waited = result["at"] - ready
    # One check a second, and the reload (3 queries: the saved models, the rollout, the group models).
    assert result["queries"] <= waited / recheck + 5
