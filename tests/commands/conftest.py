import io

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from tests.commands.fakes import ai_models_settings


class Result:
    """What a command printed, and the exit status it would have had."""

    def __init__(self, stdout, stderr, code, error=""):
        self.stdout, self.stderr, self.code, self.error = stdout, stderr, code, error


@pytest.fixture
def run(db):
    """``run("catalog", "--json")`` -> Result(stdout, stderr, code, error)."""

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("ai_models", *args, stdout=out, stderr=err)
        except CommandError as caught:
            return Result(out.getvalue(), err.getvalue(), caught.returncode, str(caught))
        return Result(out.getvalue(), err.getvalue(), 0)

    return run


@pytest.fixture
def providers(settings):
    """``providers(["snapshot", "fake"], ENCRYPTION_KEYS=[...])`` enables those providers."""

    def enable(ids, **extra):
        settings.AI_MODELS = ai_models_settings(django_settings.AI_MODELS, ids, **extra)

    return enable


@pytest.fixture(autouse=True)
def _fake_key(monkeypatch):
    # The fake needs a key, like the real providers; tests about a missing key remove it.
    monkeypatch.setenv("FAKE_AI_API_KEY", "sk-fake-commands-test-key")
