"""The example project itself: its settings, `manage.py check`, and the `demo_user` command."""

import importlib
import os
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import call_command

from generation.management.commands.demo_user import Command as DemoUser

from . import EXAMPLE_DIR

MANAGE = EXAMPLE_DIR / "manage.py"
KEY_ENV = ["OPENROUTER_API_KEY", "OPENAI_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY", "GEMINI_API_KEY", "HF_TOKEN"]


def demo_env(**extra):
    """The environment of a fresh shell: the example's own settings, no provider keys."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", *KEY_ENV}}
    return {**env, **extra}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], cwd=EXAMPLE_DIR.parent, env=env, capture_output=True, text=True, timeout=120
    )


def load_settings(monkeypatch, **env):
    for name in [*KEY_ENV, "AI_MODELS_ENCRYPTION_KEYS", "DJANGO_SECRET_KEY"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(importlib.import_module("demo.settings"))


def test_manage_py_check_passes_with_the_example_settings():
    result = manage("check", env=demo_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_demo_commands_run_on_a_fresh_database(tmp_path):
    """What `make demo` runs before starting the server."""
    env = demo_env(DEMO_SQLITE_PATH=str(tmp_path / "demo.sqlite3"))

    migrate = manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    first = manage("demo_user", env=env)
    again = manage("demo_user", env=env)

    assert first.returncode == 0, first.stderr
    assert "Created superuser admin" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "Reset superuser admin" in again.stdout
    assert "http://127.0.0.1:8000/admin/" in again.stdout


def test_only_the_snapshot_provider_is_on_without_keys(monkeypatch):
    settings = load_settings(monkeypatch)

    assert settings.AI_MODELS["PROVIDERS"] == {"snapshot": {}}


def test_live_providers_are_on_when_their_key_is_in_the_environment(monkeypatch):
    settings = load_settings(monkeypatch, GROQ_API_KEY="gsk-secret-groq", HF_TOKEN="hf_secret")

    assert list(settings.AI_MODELS["PROVIDERS"]) == ["snapshot", "groq", "huggingface"]
    # ai_models reads the keys from the environment itself: they are not copied into settings.
    assert "secret" not in repr(settings.AI_MODELS)


def test_encryption_keys_come_from_the_environment(monkeypatch):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = load_settings(monkeypatch, AI_MODELS_ENCRYPTION_KEYS=f"{new}, {old}")

    assert settings.AI_MODELS["ENCRYPTION_KEYS"] == [new, old]


def test_dev_encryption_key_is_a_valid_fernet_key_stable_across_restarts(monkeypatch):
    first = load_settings(monkeypatch).AI_MODELS["ENCRYPTION_KEYS"]
    second = load_settings(monkeypatch).AI_MODELS["ENCRYPTION_KEYS"]
    other_secret = load_settings(monkeypatch, DJANGO_SECRET_KEY="another").AI_MODELS["ENCRYPTION_KEYS"]

    assert first == second != other_secret
    token = Fernet(first[0]).encrypt(b"sk-stored-in-admin")
    assert Fernet(second[0]).decrypt(token) == b"sk-stored-in-admin"


def test_sqlite_waits_for_the_write_lock(monkeypatch):
    options = load_settings(monkeypatch).DATABASES["default"]["OPTIONS"]

    assert options == {"transaction_mode": "IMMEDIATE", "timeout": 20}


@pytest.mark.django_db
def test_demo_user_creates_a_superuser_and_prints_where_to_log_in():
    out = StringIO()
    call_command(DemoUser(), stdout=out)

    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password("admin")
    output = out.getvalue()
    assert "Admin: http://127.0.0.1:8000/admin/" in output
    assert "Login: admin / admin" in output
    for page in ("", "chat/", "content/", "image/", "audio/"):
        assert f"  http://127.0.0.1:8000/{page}\n" in output


@pytest.mark.django_db
def test_demo_user_is_idempotent_and_resets_the_password():
    call_command(DemoUser(), stdout=StringIO())
    user = get_user_model().objects.get(username="admin")
    user.set_password("changed")
    user.is_superuser = False
    user.save()

    call_command(DemoUser(), stdout=StringIO())

    user = get_user_model().objects.get(username="admin")
    assert get_user_model().objects.count() == 1
    assert user.is_superuser and user.check_password("admin")


@pytest.mark.django_db
def test_demo_user_takes_options_and_does_not_echo_a_chosen_password(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_USERNAME", "editor")
    out = StringIO()
    call_command(DemoUser(), "--password", "s3cret-pass", "--host", "0.0.0.0", "--port", "9000", stdout=out)

    assert get_user_model().objects.get(username="editor").check_password("s3cret-pass")
    output = out.getvalue()
    assert "Admin: http://0.0.0.0:9000/admin/" in output
    assert "Login: editor / " in output
    assert "s3cret-pass" not in output


def test_demo_theme_switch(monkeypatch):
    """`make demo THEME=plain` sets DEMO_THEME: the plain admin, with the demo's language menu."""
    plain = load_settings(monkeypatch, DEMO_THEME="plain")
    assert "unfold" not in plain.INSTALLED_APPS
    assert plain.TEMPLATES[0]["DIRS"] and plain.TEMPLATES[0]["DIRS"][0].name == "plain"
    assert [code for code, _name in plain.LANGUAGES] == ["en", "fa"]

    themed = load_settings(monkeypatch, DEMO_THEME="unfold")
    assert themed.INSTALLED_APPS[0] == "unfold" and themed.UNFOLD["SHOW_LANGUAGES"]

    with pytest.raises(ValueError, match="DEMO_THEME"):
        load_settings(monkeypatch, DEMO_THEME="dark")
    monkeypatch.delenv("DEMO_THEME")
    load_settings(monkeypatch)
