"""Several processes sharing one Redis cache agree on each provider's catalog and its failures.

Complements tests/catalog/test_redis.py (a refresh in one process is listed by the other) and
tests/test_active_model.py (an activation in one process is seen by the other): here the other
process talks to the real local server, and what it learns, good or bad, is what this one shows.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from ai_models import catalog

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, panel

ROOT = Path(__file__).resolve().parents[2]
OPENAI = ["openai:gpt-4.1-mini", "openai:gpt-image-1", "openai:tts-1"]

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def config(server, **extra):
    # Real sleeps in the other process: keep them short.
    return local_settings(server, openai={"API_KEY": API_KEY}, MAX_RETRY_WAIT=0.01, **extra)


def start_other(action, settings_dict):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    if connection.vendor == "postgresql":
        env["PGDATABASE"] = connection.settings_dict["NAME"]  # the test database this process uses
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.other_process", action, "openai", json.dumps(settings_dict)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outcome(process):
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_a_refresh_failing_in_another_process_is_shown_here_as_stale(settings, server, admin_client):
    settings.AI_MODELS = config(server)
    assert [entry.pk for entry in catalog.get_catalog(["openai"]).entries] == OPENAI
    server.fault = "503"

    other = outcome(start_other("refresh", settings.AI_MODELS))

    error = "openai: server error after 2 attempts (HTTP 503)"
    assert other["state"] == "stale" and other["error"].startswith(error) and other["pks"] == OPENAI
    [status] = catalog.get_catalog(["openai"]).statuses
    assert status.state == "stale" and status.error == other["error"]
    state, text = panel(admin_client.get(CATALOG_URL))["OpenAI"]
    # The panel names the provider beside its status, so the error is shown without the prefix.
    assert state == "stale" and error.removeprefix("openai: ") in text and "openai: server" not in text
    assert server.hits("/openai/", faulty=True) == 2  # the other process's two attempts; none from here


def test_a_failure_in_another_process_is_not_fetched_again_here(settings, server):
    settings.AI_MODELS = config(server)
    server.fault = "401"

    other = outcome(start_other("get", settings.AI_MODELS))

    assert other["state"] == "failed" and "was rejected (HTTP 401)" in other["error"]
    listing = catalog.get_catalog(["openai"])
    assert listing.entries == [] and listing.statuses[0].state == "failed"
    assert listing.statuses[0].error == other["error"]
    assert server.hits("/openai/") == 1  # backed off: the failure is shared, not retried per process


def test_processes_asking_at_once_make_one_upstream_call_and_all_list_it(settings, server):
    settings.AI_MODELS = config(server, READ_TIMEOUT=30.0)
    server.fault = "held"  # the first request waits until every process is asking
    others = [start_other("get", settings.AI_MODELS) for _ in range(3)]
    for process in others:
        assert process.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 30
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # the others are now waiting for the fetch in flight (or will read its result)

    server.go.set()
    results = [outcome(process) for process in others]

    assert server.hits("/openai/") == 1
    assert all(result == {"pks": OPENAI, "state": "fresh", "error": ""} for result in results), results
    assert [entry.pk for entry in catalog.get_catalog(["openai"]).entries] == OPENAI
    assert server.hits("/openai/") == 1
