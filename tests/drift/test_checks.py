"""Drift as system-check warnings (ai_models.W004): `check --deploy`, `check --tag ai_models --database`."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from ai_models import catalog, activation
from ai_models.checks import check_drift, check_drift_on_deploy

from .fakes import CHAT

ROOT = Path(__file__).resolve().parents[2]


def check(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("check", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def drifted(db, acme_provider):
    activation.activate(catalog.get_entry("acme", CHAT), "chat")
    acme_provider.models[CHAT]["input_price"] = "3.00"
    catalog.refresh(["acme"])


def test_deploy_check_warns_about_a_drifted_model(drifted):
    output = check("--deploy")

    assert "ai_models.W004" in output
    assert "acme:acme/chat-1" in output and "input price up from $1.00 to $3.00 per 1M tokens" in output


def test_tagged_check_with_the_database_warns_once(drifted):
    output = check("--tag", "ai_models", "--database", "default")
    assert output.count("ai_models.W004") == 1

    assert check("--tag", "ai_models", "--deploy", "--database", "default").count("ai_models.W004") == 1


@pytest.mark.usefixtures("active_clock_stopped")
def test_plain_check_stays_off_the_database(drifted, django_assert_num_queries):
    """`check` runs before every management command: the drift checks must not query there."""
    with django_assert_num_queries(0):
        assert "ai_models.W004" not in check()


def test_no_warning_when_nothing_drifted(db, acme_provider):
    activation.activate(catalog.get_entry("acme", CHAT), "chat")

    assert check_drift(databases=["default"]) == []
    assert check_drift_on_deploy() == []


def test_the_deploy_variant_stays_quiet_only_when_the_database_check_ran_in_the_same_run(drifted):
    databases = ["default"]
    assert [w.id for w in check_drift(databases=databases)] == ["ai_models.W004"]
    assert check_drift_on_deploy(databases=databases) == []  # the same run: reported already

    assert [w.id for w in check_drift_on_deploy(databases=["default"])] == ["ai_models.W004"]
    assert [w.id for w in check_drift_on_deploy()] == ["ai_models.W004"]


def manage(*args, database):
    """Run manage.py against an SQLite file in a fresh process (no test database, no fixtures)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "AI_MODELS_TEST_DB": "sqlite",
        "AI_MODELS_TEST_SQLITE": str(database),
        "AI_MODELS_TEST_CACHE": "locmem",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_never_crashes_before_migrate_or_halfway_through_an_upgrade(tmp_path):
    database = tmp_path / "fresh.sqlite3"

    for args in (["check", "--deploy"], ["check", "--tag", "ai_models", "--database", "default"]):
        result = manage(*args, database=database)
        assert "Traceback" not in result.stderr, result.stderr
        assert "ai_models.W004" not in result.stdout + result.stderr

    # Migrated up to the release before the trial columns: the query fails, the check does not.
    assert manage("migrate", "ai_models", "0001", database=database).returncode == 0
    result = manage("check", "--deploy", "--database", "default", database=database)
    assert "Traceback" not in result.stderr, result.stderr
