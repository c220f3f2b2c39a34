"""The price ceiling on the command line: --allow-above-ceiling; with --user, only for a user with the permission."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from ai_models.models import AIModel

from ..admin.conftest import make_user

MINI = "openai/gpt-4.1-mini"  # $0.40 / $1.60 per 1M tokens, above the $0.30 input ceiling
NANO = "openai/gpt-4.1-nano"

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ai_models", "activate", "snapshot", *args, stdout=out, stderr=err)
    except CommandError as caught:
        return caught.returncode, out.getvalue(), err.getvalue() + str(caught)
    return 0, out.getvalue(), err.getvalue()


def test_above_the_ceiling_needs_the_flag(ceilings):
    get_user_model().objects.create_superuser("root", "root@example.com", "x")

    code, _out, err = run(MINI, "--capability", "chat")

    assert code == 2
    assert "priced above the ceiling for Chat: input $0.40 per 1M tokens, above the ceiling of $0.30" in err
    assert "Pass --allow-above-ceiling to go ahead anyway." in err
    assert not AIModel.objects.exists()


def test_the_flag_is_refused_for_a_user_without_the_permission(ceilings):
    make_user("editor", "ai_models.activate_aimodel")

    code, _out, err = run(MINI, "--capability", "chat", "--allow-above-ceiling", "--user", "editor")

    assert code == 2 and "needs the permission “Can activate a model priced above the ceiling”" in err
    assert "Pass --allow-above-ceiling" not in err  # it was passed: the user may not
    assert not AIModel.objects.exists()


def test_without_a_user_the_command_line_is_trusted_with_the_flag_it_names(ceilings):
    code, _out, err = run(MINI, "--capability", "chat", "--allow-above-ceiling")

    assert code == 0 and AIModel.objects.get(is_active=True).activated_via == "command line"
    assert "Overridden (--allow-above-ceiling)" in err


def test_the_flag_with_the_permission_activates_warns_and_records(ceilings):
    make_user("lead", "ai_models.activate_aimodel", "ai_models.activate_above_ceiling")

    code, out, err = run(MINI, "--capability", "chat", "--allow-above-ceiling", "--user", "lead")

    assert code == 0 and out.strip() == f"Activated snapshot:{MINI} for chat."
    assert "Overridden (--allow-above-ceiling): This model is priced above the ceiling for Chat" in err
    assert "above the price ceiling (input $0.40 > $0.30 per 1M tokens)" in LogEntry.objects.get().change_message


def test_a_model_under_the_ceiling_needs_no_flag(ceilings):
    assert run(NANO, "--capability", "chat")[0] == 0
    assert AIModel.objects.get(is_active=True).model_id == NANO
