"""A separate Django process for the concurrency tests (test_concurrency.py), speaking JSON lines.

    python -m tests.activation.worker setup 'AI_MODELS as JSON'          # migrate (SQLite file) and a superuser
    python -m tests.activation.worker requests 'AI_MODELS as JSON' 'REQUESTS as JSON'
    python -m tests.activation.worker threads 'AI_MODELS as JSON' 'REQUESTS as JSON'

``requests`` prints "ready", waits for a line on stdin (the start), makes each request (method,
path, body) through the HTTP API as the superuser, and prints one JSON line per request: its
status, its body and the ``active_model_changed`` signals it sent (capability, previous, current).
``threads`` takes lists of requests and runs the lists at once, one thread each (each list in
order), as a threaded server would; it prints their answers list after list.
The database is the test settings' (``AI_MODELS_TEST_DB``, ``PGDATABASE``, ``AI_MODELS_TEST_SQLITE``).
"""

import json
import sys
import threading
import time

import django

USER = "root"


def setup(config):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    if not User.objects.filter(username=USER).exists():
        User.objects.create_superuser(USER, "root@example.com", "pw")
    print(json.dumps({"ready": True}), flush=True)


def _answer(client, method, path, body, signals):
    started = time.monotonic()
    response = getattr(client, method)(path, json.dumps(body), content_type="application/json")
    try:
        answer = response.json()
    except ValueError:
        answer = {"html": response.content.decode(errors="replace")[:300]}
    return {"path": path, "status": response.status_code, "body": answer, "signals": list(signals),
            "seconds": round(time.monotonic() - started, 3)}


def requests(config, calls, *, at_once=False):
    from django.contrib.auth.models import User
    from django.db import connections
    from django.test import Client
    from django.test.utils import override_settings

    from ai_models.signals import active_model_changed

    signals = threading.local()

    def record(sender, capability, previous, current, **kwargs):
        signals.found.append([capability, previous and previous.model_id, current and current.model_id])

    def one(calls, results, index):
        client = Client()
        client.force_login(user)
        for call in calls:
            signals.found = []
            results[index].append(_answer(client, *call, signals.found))
        connections.close_all()

    active_model_changed.connect(record, weak=False)
    with override_settings(AI_MODELS=config, ALLOWED_HOSTS=["*"]):
        user = User.objects.get(username=USER)
        client = Client()
        client.force_login(user)
        client.get("/api/ai-models/catalog/?page_size=1")  # the catalog fetched and kept before the start
        print("ready", flush=True)
        sys.stdin.readline()
        lists = calls if at_once else [calls]
        results = [[] for _ in lists]
        threads = [threading.Thread(target=one, args=(batch, results, n)) for n, batch in enumerate(lists)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result in (answer for batch in results for answer in batch):
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    django.setup()
    action, config, *rest = sys.argv[1:]
    threads = action == "threads"
    {"setup": setup, "requests": requests, "threads": requests}[action](json.loads(config), *map(json.loads, rest),
                                                                        **({"at_once": True} if threads else {}))
