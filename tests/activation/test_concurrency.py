"""Changes at once from several processes, through the HTTP API, on the database of the leg
(a SQLite file, or PostgreSQL): they queue up per capability and never wait on each other in
opposite orders; what each answers, records and announces names the model really active before.

Issue 22's deadlock: a bulk save of 60 models in parallel with two activations held each other
for 60 s, then answered 409 and 500. The bounds below only catch a hang; the runs take seconds.
"""

import json
import os
import random
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import connection

from ai_models.activation import history
from ai_models.models import AIModel

ROOT = Path(__file__).resolve().parents[2]
HANG = 120  # seconds: far beyond a run, short of a stuck CI job
CONFIG = {
    "PROVIDERS": {"test": {"CLASS": "ai_models.providers.test.TestProvider", "COUNT": 200}},
    "CAPABILITIES": ["chat", "content"],
}
CHAT_MODELS = ["test-00001", "test-00002", "test-00004", "test-00005", "test-00006", "test-00008"]  # kind chat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def env(tmp_path):
    """The environment of a worker process: this leg's database (a file for SQLite), set up."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    if connection.vendor == "postgresql":
        env["PGDATABASE"] = connection.settings_dict["NAME"]  # the test database this process uses
    else:
        env["AI_MODELS_TEST_SQLITE"] = str(tmp_path / "db.sqlite3")
    config = {**settings.AI_MODELS, **CONFIG}
    subprocess.run([sys.executable, "-m", "tests.activation.worker", "setup", json.dumps(config)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=HANG)
    return env


def run_at_once(env, batches, action="requests") -> list:
    """Start one worker per batch of requests, let them all go at once; their answers, batch by batch.
    ``action`` "threads": each worker makes its requests at once, one thread each."""
    config = json.dumps({**settings.AI_MODELS, **CONFIG})
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.activation.worker", action, config, json.dumps(batch)],
                         cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for batch in batches
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()[-2000:]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    answers = []
    for worker in workers:
        out, err = worker.communicate(timeout=HANG)
        assert worker.returncode == 0, err[-2000:]
        answers.append([json.loads(line) for line in out.splitlines() if line.strip()])
    return answers


def active_rows(env) -> list:
    if connection.vendor == "postgresql":
        return list(AIModel.objects.filter(is_active=True).values_list("capability", "model_id"))
    with sqlite3.connect(env["AI_MODELS_TEST_SQLITE"]) as db:
        return db.execute("SELECT capability, model_id FROM ai_models_aimodel WHERE is_active").fetchall()


def test_a_bulk_save_and_activations_at_once_all_answer_and_none_500s(env):
    api = "/api/ai-models/"
    bulk = ["post", api + "saved/bulk/", {"provider": "test", "capability": "content", "limit": 60}]
    def activations(model_id):  # one after another, enough of them to run while the bulk save does
        return [["post", api + "activations/", {"provider": "test", "model_id": model_id, "capability": "chat"}]] * 15

    # One process, as a threaded server: the bulk save and two streams of activations at once.
    [[saved, *activated]] = run_at_once(env, [[[bulk], activations(CHAT_MODELS[0]), activations(CHAT_MODELS[1])]],
                                        action="threads")

    assert [answer["status"] for answer in [saved, *activated]] == [201] * 31, [saved, *activated]
    assert saved["body"]["count"] == 60
    [(capability, model_id)] = active_rows(env)
    assert capability == "chat" and model_id in CHAT_MODELS[:2]
    print("seconds:", {"bulk": saved["seconds"], "activations": [answer["seconds"] for answer in activated]})


def _requests(seed: int, count: int) -> list:
    api, pick = "/api/ai-models/", random.Random(seed)
    calls = []
    for _ in range(count):
        capability, roll = pick.choice(["chat", "content"]), pick.random()
        if roll < 0.6:
            body = {"provider": "test", "model_id": pick.choice(CHAT_MODELS), "capability": capability}
            calls.append(["post", api + "activations/", body])
        elif roll < 0.85:
            calls.append(["post", api + f"active/{capability}/rollback/", {}])
        else:
            calls.append(["post", api + f"active/{capability}/deactivate/", {}])
    return calls


def _transitions_from_history() -> Counter:
    """(capability, model active before, model after) of every change, replayed from the history in
    commit order, checking that each entry names the model really active before it."""
    active, found = {}, Counter()
    for entry in LogEntry.objects.order_by("pk"):
        facts = history.facts_of(entry.change_message)
        capability, model = facts["capability"], facts["model"].removeprefix("test:")
        before = active.get(capability)
        if facts["event"] in (history.ACTIVATED, history.REACTIVATED):
            other = facts.get("other", "").removeprefix("test:") or None
            assert other == (before if before != model else None), (entry.pk, facts, before)
            active[capability] = model
            if before != model:
                found[(capability, before, model)] += 1
        elif facts["event"] == history.DEACTIVATED:
            assert model == before, (entry.pk, facts, before)
            active[capability] = None
            found[(capability, before, None)] += 1
    assert {capability: model for capability, model in AIModel.objects.filter(is_active=True).values_list(
        "capability", "model_id")} == {capability: model for capability, model in active.items() if model}
    return found


@pytest.mark.postgres
def test_two_hundred_changes_from_four_processes_each_name_the_model_really_replaced(env):
    answers = run_at_once(env, [_requests(seed, 50) for seed in range(4)])

    answers = [answer for batch in answers for answer in batch]
    assert len(answers) == 200 and {answer["status"] for answer in answers} <= {200, 201, 404}, Counter(
        answer["status"] for answer in answers)
    rows = AIModel.objects.filter(is_active=True).values_list("capability", flat=True)
    assert len(rows) == len(set(rows))  # at most one active per capability
    truth = _transitions_from_history()

    told, signalled = Counter(), Counter()
    for answer in answers:
        body = answer["body"]
        if "model" in body:  # an activation or a rollback: "replaced" is what the API answered
            replaced = body["replaced"]["model_id"] if body["replaced"] else None
            if replaced:
                told[(body["model"]["capability"], replaced, body["model"]["model_id"])] += 1
        elif body.get("deactivated"):
            told[(body["deactivated"]["capability"], body["deactivated"]["model_id"], None)] += 1
        signalled.update(tuple(signal) for signal in answer["signals"])
    assert told == Counter({key: n for key, n in truth.items() if key[1] is not None})
    assert signalled == truth
    assert sum(truth.values()) > 50  # the run really changed hands many times
