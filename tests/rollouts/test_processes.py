"""Done when (issue 29): 10,000 simulated users at 10%, each on the same side in 5 processes and
after a restart, and every member of a named group on the candidate. The processes share one
SQLite database file of their own, so the test runs the same in every leg."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(action, database, **popen):
    env = {key: value for key, value in os.environ.items()
           if key not in ("AI_MODELS_TEST_DB", "AI_MODELS_TEST_CACHE")}
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", AI_MODELS_TEST_SQLITE=str(database), PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "tests.rollouts.assign", action], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def result(process):
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1]) if out.strip() else None


def test_ten_thousand_users_keep_their_side_across_processes_and_a_restart(tmp_path):
    database = tmp_path / "rollout.sqlite3"
    result(run("setup", database))

    together = [result(process) for process in [run("assign", database) for _ in range(5)]]
    restarted = result(run("assign", database))  # a new process after the others ended

    first = together[0]
    assert 900 <= len(first["simulated"]) <= 1100  # 10% ± 1 of 10,000
    assert all(answer == first for answer in [*together, restarted])
    assert first["beta_count"] == 20 and len(first["beta"]) == 20  # every member of the group, every time
