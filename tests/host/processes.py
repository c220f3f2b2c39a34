"""Two host processes sharing one SQLite file, each with its own locmem cache (test_memo.py).

    python -m tests.host.processes migrate
    python -m tests.host.processes watch SECONDS   # prints "ready", then one JSON line
    python -m tests.host.processes activate MODEL_ID   # prints the wall time of the commit

``AI_MODELS_TEST_SQLITE`` names the shared file (tests/settings.py reads it).
"""

import json
import sys
import time

import django


def main(action, argument=""):
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ai_models import NoActiveModel, get_active_model, activation
    from tests.factories import catalog_model

    if action == "migrate":
        call_command("migrate", verbosity=0)
    elif action == "activate":
        activation.activate(catalog_model(argument), "chat", via="second process")
        print(time.time(), flush=True)
    elif action == "watch":
        try:
            get_active_model("chat")
        except NoActiveModel:
            pass
        print("ready", flush=True)
        seen = None
        with CaptureQueriesContext(connection) as queries:
            deadline = time.monotonic() + float(argument)
            while time.monotonic() < deadline:
                try:
                    seen = get_active_model("chat").model_id
                    break
                except NoActiveModel:
                    time.sleep(0.005)
        print(json.dumps({"seen": seen, "at": time.time(), "queries": len(queries)}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
