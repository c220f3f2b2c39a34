"""A second Django process for test_multiprocess.py: one catalog call, its outcome as JSON.

    python -m tests.reliability.other_process get|refresh PROVIDER 'AI_MODELS as JSON'

Prints "ready" when set up, then one JSON line: the pks listed, the provider's state and error.
"""

import json
import sys

import django


def main(action, provider, config):
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from ai_models import catalog

    if connection.vendor == "sqlite":  # its own in-memory database
        call_command("migrate", verbosity=0)
    print("ready", flush=True)
    with override_settings(AI_MODELS=config):
        listing = catalog.get_catalog([provider], refresh=action == "refresh")
    [status] = listing.statuses
    print(json.dumps({"pks": sorted(entry.pk for entry in listing.entries), "state": status.state, "error": status.error}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
