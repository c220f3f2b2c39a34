"""The real process: exit status and a one-line reason on stderr, as a CI job sees them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manage(tmp_path_factory):
    """``manage("ai_models", ...)`` in a subprocess on a migrated SQLite file whose only provider fails."""
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "cli_settings.py").write_text(
        "from tests.settings import *\n"
        f"DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3', 'NAME': {str(tmp / 'db.sqlite3')!r}}}}}\n"
        f"AI_MODELS = {{'PROVIDERS': {{'snapshot': {{'PATH': {str(tmp / 'missing.json')!r}}}}}}}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cli_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
    }
    env.pop("DJANGO_AI_MODELS_USER", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "-m", "django", *args], env=env, cwd=tmp, capture_output=True, text=True, timeout=120
        )

    assert manage("migrate", "-v0").returncode == 0
    return manage


def test_success_exits_0(manage):
    result = manage("ai_models", "active")
    assert result.returncode == 0 and result.stdout.startswith("capability")


def test_every_provider_failing_exits_1_with_one_line(manage):
    result = manage("ai_models", "catalog")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "CommandError: Every provider failed; no catalog to list."


def test_unknown_capability_exits_2_with_one_line(manage):
    result = manage("ai_models", "activate", "snapshot", "openai/gpt-4.1-mini", "--capability", "video")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "CommandError: Unknown capability 'video'. Valid capabilities: chat, content, image, audio."
    ]


def test_bad_arguments_exit_2(manage):
    result = manage("ai_models", "frobnicate")
    assert result.returncode == 2 and "invalid choice: 'frobnicate'" in result.stderr


def test_help_lists_every_subcommand(manage):
    result = manage("ai_models", "--help")
    assert result.returncode == 0
    for name in ("catalog", "activate", "deactivate", "active", "providers", "rotate_keys"):
        assert name in result.stdout
