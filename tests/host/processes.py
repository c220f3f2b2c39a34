"""A second host process, for the tests of what reaches it and when (and the benchmarks).

    python -m tests.host.processes migrate
    python -m tests.host.processes activate MODEL_ID   # prints the wall time of the commit
    python -m tests.host.processes watch SECONDS       # prints "ready", then one JSON line
    python -m tests.host.processes follow              # see ``follow``
    python -m tests.host.processes load THREADS        # see ``load``

The settings (``DJANGO_SETTINGS_MODULE``) say which database and cache it shares with the test:
``tests.settings`` with ``AI_MODELS_TEST_SQLITE`` for one SQLite file, or
``tests.host.follower_settings``. ``Follower`` drives ``follow`` from the test's side.
"""

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]


def current(get_active_model, NoActiveModel):
    try:
        return get_active_model("chat").model_id
    except NoActiveModel:
        return None


def follow(get_active_model, NoActiveModel, queries):
    """Answer ``get_active_model("chat")`` once (warm), print ``{"ready": model_id}``, then idle
    until told on stdin ``until MODEL_ID SECONDS``: call it every 2 ms until it answers that model,
    and print ``{"seen", "at" (wall time), "queries"}``. ``quit`` ends."""
    print(json.dumps({"ready": current(get_active_model, NoActiveModel)}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            return
        wanted, deadline = words[1], time.monotonic() + float(words[2])
        before, seen = len(queries), None
        while time.monotonic() < deadline:
            seen = current(get_active_model, NoActiveModel)
            if seen == wanted:
                break
            time.sleep(0.002)
        print(json.dumps({"seen": seen, "at": time.time(), "queries": len(queries) - before}), flush=True)


def load(threads: int):
    """``threads`` threads GET ``/chat/`` (``tests/host/views.py``) through Django's whole request
    cycle; prints "loading" once they are warm, then, once stdin says ``until MODEL_ID SECONDS`` and a response names
    that model (or the time is up), the answers counted by status and body."""
    from django.test import Client

    answers, stop = Counter(), threading.Event()

    def work():
        client = Client(raise_request_exception=False)  # a view's exception is a 500, as served
        while not stop.is_set():
            response = client.get("/chat/")
            answers[f"{response.status_code} {response.content.decode()[:40]}"] += 1

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    while sum(answers.values()) < 2 * threads:  # warm
        time.sleep(0.01)
    print("loading", flush=True)
    _until, wanted, seconds = sys.stdin.readline().split()
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline and not answers[f"200 {wanted}"]:
        time.sleep(0.01)
    stop.set()
    for worker in workers:
        worker.join(60)
    print(json.dumps(dict(answers)), flush=True)


class Follower:
    """Drives ``follow`` in a second process started with ``env`` (its database and cache)."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.host.processes", "follow"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.ready = self._answer()["ready"]

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()
        return json.loads(line)

    def poll_until(self, model_id, seconds):
        """Make it call ``get_active_model`` until it serves ``model_id`` (``answer`` says when)."""
        self.process.stdin.write(f"until {model_id} {seconds}\n")
        self.process.stdin.flush()

    def answer(self) -> dict:
        """``{"seen", "at" (wall time), "queries"}`` of the last ``poll_until``."""
        return self._answer()

    def until(self, model_id, seconds) -> dict:
        self.poll_until(model_id, seconds)
        return self.answer()

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def main(action, argument=""):
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ai_models import NoActiveModel, activation, get_active_model
    from tests.factories import catalog_model

    if action == "migrate":
        call_command("migrate", verbosity=0)
    elif action == "activate":
        activation.activate(catalog_model(argument), "chat", via="second process")
        print(time.time(), flush=True)
    elif action == "load":
        load(int(argument))
    elif action == "follow":
        with CaptureQueriesContext(connection) as queries:
            follow(get_active_model, NoActiveModel, queries)
    elif action == "watch":
        current(get_active_model, NoActiveModel)
        print("ready", flush=True)
        seen = None
        with CaptureQueriesContext(connection) as queries:
            deadline = time.monotonic() + float(argument)
            while time.monotonic() < deadline:
                seen = current(get_active_model, NoActiveModel)
                if seen is not None:
                    break
                time.sleep(0.005)
        print(json.dumps({"seen": seen, "at": time.time(), "queries": len(queries)}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
