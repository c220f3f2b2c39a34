"""With a shared cache (Redis), two processes share one catalog: a refresh in one is served by the other."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ai_models import catalog

from ai_models.providers import test as test_provider

ROOT = Path(__file__).resolve().parents[2]

OTHER_PROCESS = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.db import connection
    if connection.vendor == "sqlite":  # its own in-memory database
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
    from django.test.utils import override_settings
    from ai_models import catalog
    from ai_models.exceptions import ProviderUnavailable
    from ai_models.providers import test as test_provider

    action, config = sys.argv[1], json.loads(sys.argv[2])
    with override_settings(AI_MODELS=config):
        if action == "read":
            # Fetching here would fail: what it lists comes from the shared cache.
            test_provider.script("fake1", error=ProviderUnavailable('fake1', 'fetched in the other process'))
            listing = catalog.get_catalog()
        else:
            test_provider.script("fake1", models=7)
            listing = catalog.refresh()
    print(json.dumps({
        "pks": [entry.pk for entry in listing.entries],
        "state": listing.statuses[0].state,
        "calls": test_provider.fetches["fake1"],
    }))
    """
)


def in_other_process(action):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    if connection.vendor == "postgresql":
        env["PGDATABASE"] = connection.settings_dict["NAME"]  # the test database this process uses
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, action, json.dumps(settings.AI_MODELS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_catalog_cache(use_fakes):
    use_fakes("fake1")
    test_provider.script("fake1", models=5)
    fetched = [entry.pk for entry in catalog.get_catalog().entries]

    other = in_other_process("read")
    assert other == {"pks": fetched, "state": "fresh", "calls": 0}

    other = in_other_process("refresh")
    assert other["calls"] == 1 and len(other["pks"]) == 7

    listing = catalog.get_catalog()  # this process had the 5-model list memoized
    assert [entry.pk for entry in listing.entries] == other["pks"]
    assert test_provider.fetches["fake1"] == 1
