"""The example project's own settings keep concurrent activations on SQLite free of "database is locked".

test_concurrency.py proves it under tests.settings; this runs worker processes under
example_project/demo/settings.py itself, so the guarantee holds for the configuration a
developer copies, not only for the suite's.
"""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = ROOT / "example_project"
KEY_ENV = ["OPENROUTER_API_KEY", "OPENAI_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY", "GEMINI_API_KEY", "HF_TOKEN"]
CAPABILITIES = ["chat", "content", "image", "audio"]

WORKER = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from django.db import connection
    from ai_models import activation
    from ai_models.providers.base import CatalogModel

    print(repr(connection.settings_dict["OPTIONS"]), flush=True)
    worker, go = int(sys.argv[1]), sys.argv[2]
    while not os.path.exists(go):  # start together, to collide as much as possible
        time.sleep(0.005)
    for n in range(10):
        capability = ["chat", "content", "image", "audio"][(worker + n) % 4]
        model_id = f"model-{(worker * 7 + n) % 6}"
        entry = CatalogModel(provider="snapshot", model_id=model_id, capabilities=frozenset([capability]))
        activation.activate(entry, capability, via=f"worker {worker}")
    """
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only; independent of the test database")
def test_concurrent_activations_under_the_example_settings_never_hit_database_is_locked(tmp_path):
    env = {name: value for name, value in os.environ.items() if name not in {"DJANGO_SETTINGS_MODULE", *KEY_ENV}}
    env.update(
        DJANGO_SETTINGS_MODULE="demo.settings",
        # This checkout's ai_models, not whichever one the environment has installed.
        PYTHONPATH=os.pathsep.join([str(EXAMPLE_DIR), str(ROOT)]),
        DEMO_SQLITE_PATH=str(tmp_path / "demo.sqlite3"),
    )
    migrate = [sys.executable, str(EXAMPLE_DIR / "manage.py"), "migrate", "-v0"]
    subprocess.run(migrate, cwd=tmp_path, env=env, check=True, timeout=120)
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(n), str(go)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    options = [worker.stdout.readline().strip() for worker in workers]  # each is set up and waiting
    time.sleep(0.2)
    go.touch()
    results = [(worker.wait(timeout=120), worker.stderr.read()) for worker in workers]

    assert options == ["{'transaction_mode': 'IMMEDIATE', 'timeout': 20}"] * 4
    assert [code for code, _err in results] == [0] * 4, [err[-800:] for code, err in results if code]
    assert not any("database is locked" in err for _code, err in results)
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from ai_models.models import AIModel; "
            "print(sorted(AIModel.objects.filter(is_active=True).values_list('capability', flat=True)), "
            "AIModel.objects.count())",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    active, saved = check.stdout.split("] ")
    assert active + "]" == str(sorted(CAPABILITIES))  # one active model per capability
    assert 0 < int(saved) <= 24  # 6 models x 4 capabilities at most, each saved once
