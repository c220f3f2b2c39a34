"""Four processes × 1,000 calls on PostgreSQL + Redis: the usage page counts every call and its cost, exactly."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from ai_models.models import Usage
from ai_models.prices import format_cost

from .conftest import saved

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, CALLS = 4, 1000
CALL_COST = Decimal("0.000046")  # the chat server's 3 tokens in at $2 per 1M, 5 out at $8 per 1M


@pytest.fixture
def chat_server():
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "chat_server.py")], stdout=subprocess.PIPE, text=True)
    try:
        yield int(process.stdout.readline())
    finally:
        process.kill()
        process.wait()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_four_processes_calls_are_counted_exactly(chat_server, admin_client, settings):
    saved(model_id="bench-model")
    env = {
        **os.environ,
        "PGDATABASE": connection.settings_dict["NAME"],  # the test database
        "AI_MODELS_TEST_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "tests.usage.worker", str(chat_server), str(PROCESSES), str(CALLS)]
    assert subprocess.run(command, cwd=ROOT, env=env, timeout=120).returncode == 0

    page = admin_client.get(reverse("admin:ai_models_usage_changelist"))  # collects what waits in Redis

    total = PROCESSES * CALLS
    rows = Usage.objects.filter(capability="chat", model_id="bench-model")
    assert sum(row.calls for row in rows) == total
    assert {row.outcome for row in rows} == {"ok"}
    assert sum(row.cost for row in rows) == total * CALL_COST
    assert f"{total} calls, 0 errors, {format_cost(total * CALL_COST)}" in page.content.decode()
