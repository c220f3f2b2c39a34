"""Concurrent activations: one active model per capability, whatever the interleaving."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from ai_models import ActivationError, get_active_model, activation
from ai_models.models import AIModel
from tests.factories import catalog_model

ROOT = Path(__file__).resolve().parents[2]
CAPABILITIES = ["chat", "content", "image", "audio"]


def one_active_per_capability():
    rows = list(AIModel.objects.filter(is_active=True).values_list("capability", "model_id"))
    assert len(rows) == len({capability for capability, _ in rows}), rows
    return dict(rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_activations_on_postgresql():
    results, errors, unexpected = [], [], []
    start = threading.Barrier(50)

    def activate(n):
        capability = CAPABILITIES[n % len(CAPABILITIES)]
        try:
            start.wait()
            model = activation.activate(catalog_model(f"model-{n % 10}", capabilities=(capability,)), capability,
                                         via=f"thread {n}").model
            results.append((capability, model.model_id, model.activated_at))
        except ActivationError as err:  # a clear, expected refusal
            errors.append(err)
        except Exception as err:  # anything else fails the test below
            unexpected.append(repr(err))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=activate, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert unexpected == []
    assert len(results) + len(errors) == 50
    assert len(results) >= 45, errors  # retries absorb nearly every collision
    active = one_active_per_capability()
    assert set(active) == set(CAPABILITIES)
    # The swap locks the capability's rows, so activated_at orders the commits.
    for capability in CAPABILITIES:
        last = max((r for r in results if r[0] == capability), key=lambda r: r[2])
        assert active[capability] == last[1]
        assert get_active_model(capability).model_id == last[1]


WORKER = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from ai_models import activation
    from tests.factories import catalog_model
    worker = int(sys.argv[1])
    for n in range(10):
        capability = ["chat", "content", "image", "audio"][(worker + n) % 4]
        activation.activate(catalog_model(f"model-{(worker * 7 + n) % 6}", capabilities=(capability,)), capability, via=f"worker {worker}")
    """
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_concurrent_processes_on_sqlite_never_hit_database_is_locked(tmp_path):
    """Four worker processes activating at once on one SQLite file (example settings: IMMEDIATE)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "AI_MODELS_TEST_DB": "sqlite",
        "AI_MODELS_TEST_SQLITE": str(tmp_path / "db.sqlite3"),
    }
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(n)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    failures = [(w.wait(timeout=120), w.stderr.read()) for w in workers]
    assert all(code == 0 for code, _ in failures), [err[-500:] for code, err in failures if code]

    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from ai_models.models import AIModel; "
            "rows = list(AIModel.objects.filter(is_active=True).values_list('capability', flat=True)); "
            "print(sorted(rows))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "['audio', 'chat', 'content', 'image']"
