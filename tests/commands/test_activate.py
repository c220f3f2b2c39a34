import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model

from ai_models import get_active_model, activation
from ai_models.exceptions import ActivationError
from ai_models.models import AIModel
from ai_models.activation.history import describe
from tests.admin.conftest import make_user
from tests.factories import catalog_model

MINI = "openai/gpt-4.1-mini"


def active_ids():
    return dict(AIModel.objects.filter(is_active=True).values_list("capability", "model_id"))


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "x")


def test_activates_through_selection_and_logs_a_command_line_change(run, admin_user):
    staff = make_user("ops", "ai_models.activate_aimodel")

    result = run("activate", "snapshot", MINI, "--capability", "chat", "--user", "ops")

    assert result.code == 0 and result.stdout.strip() == f"Activated snapshot:{MINI} for chat."
    assert get_active_model("chat").model_id == MINI
    assert get_active_model("chat").display_name == "OpenAI: GPT-4.1 mini"  # taken from the catalog entry
    log = LogEntry.objects.get()
    assert log.user == staff and describe(log.change_message).endswith("Via the command line.")


def test_says_which_model_it_replaced(run, admin_user, providers):
    providers(["snapshot", "fake"])
    run("activate", "snapshot", MINI, "--capability", "content")

    result = run("activate", "fake", "fake-chat", "--capability", "content")

    assert result.stdout.strip() == f"Activated fake:fake-chat for content (replacing snapshot:{MINI})."
    assert active_ids() == {"content": "fake-chat"}


def test_user_comes_from_the_environment_else_the_change_is_the_command_lines(run, admin_user, monkeypatch, caplog):
    User = get_user_model()
    User.objects.create_superuser("second", "s@example.com", "x")
    env_user = make_user("deploy-bot", "ai_models.activate_aimodel")

    monkeypatch.setenv("DJANGO_AI_MODELS_USER", "deploy-bot")
    run("activate", "snapshot", MINI, "--capability", "chat")
    assert LogEntry.objects.latest("pk").user == env_user

    monkeypatch.delenv("DJANGO_AI_MODELS_USER")
    logged = LogEntry.objects.count()
    with caplog.at_level("INFO", logger="ai_models"):
        result = run("activate", "snapshot", MINI, "--capability", "content")
    # Not attributed to a superuser who did nothing: recorded as the command line.
    assert LogEntry.objects.count() == logged
    row = AIModel.objects.get(capability="content")
    assert row.activated_by is None and row.activated_via == "command line"
    assert f"Activated snapshot:{MINI} for Content. Via the command line." in caplog.text
    assert "recorded as made by the command line, not by a person" in result.stderr


def test_without_any_user_it_activates_and_says_no_log_entry_was_written(run):
    result = run("activate", "snapshot", MINI, "--capability", "chat")

    assert result.code == 0 and active_ids() == {"chat": MINI}
    assert not LogEntry.objects.exists()
    assert "no admin history (LogEntry) was written" in result.stderr
    assert AIModel.objects.get().activated_via == "command line"


@pytest.mark.parametrize(
    "args, message",
    [
        (["snapshot", MINI, "--capability", "video"], "Unknown capability 'video'."),
        (["nope", MINI, "--capability", "chat"], "Unknown provider 'nope'."),
        (["openai", "gpt-4o", "--capability", "chat"], "Provider 'openai' is not enabled."),
        (["snapshot", "no/such-model", "--capability", "chat"], "Model 'no/such-model' is not in the catalog of snapshot"),
        (["snapshot", MINI, "--capability", "chat", "--user", "ghost"], "No user 'ghost' (from --user)."),
    ],
)
def test_refuses_unknown_names_with_one_line_and_changes_nothing(run, admin_user, args, message):
    activation.activate(catalog_model("previous"), "chat")

    result = run("activate", *args)

    assert result.code == 2
    assert result.error.startswith(message) and "\n" not in result.error
    assert active_ids() == {"chat": "previous"}


def test_a_model_of_another_kind_needs_the_flag_then_is_activated_with_a_warning(run, admin_user):
    refused = run("activate", "snapshot", "openai/gpt-image-1", "--capability", "chat")
    assert refused.code == 2 and active_ids() == {}
    assert "This model answers text-to-image, not the chat completions that Chat needs." in refused.error
    assert refused.error.endswith("Pass --allow-kind-mismatch to go ahead anyway.")

    result = run("activate", "snapshot", "openai/gpt-image-1", "--capability", "chat", "--allow-kind-mismatch")

    assert result.code == 0 and active_ids() == {"chat": "openai/gpt-image-1"}
    assert "Overridden (--allow-kind-mismatch): This model answers text-to-image" in result.stderr


def test_strict_refuses_a_model_not_classified_for_the_capability(run, admin_user):
    result = run("activate", "snapshot", "openai/gpt-image-1", "--capability", "chat", "--strict")

    assert result.code == 2 and "Refused because of --strict." in result.error
    assert active_ids() == {}


def test_an_activation_failure_exits_1(run, admin_user, monkeypatch):
    def collide(*args, **kwargs):
        raise ActivationError("Could not activate: another change was in progress.")

    monkeypatch.setattr(activation, "activate", collide)
    result = run("activate", "snapshot", MINI, "--capability", "chat")
    assert result.code == 1 and result.error == "Could not activate: another change was in progress."


def test_deactivate_leaves_the_capability_empty_and_logs_it(run, admin_user):
    activation.activate(catalog_model(MINI), "chat")

    result = run("deactivate", "--capability", "chat", "--user", admin_user.username)

    assert result.code == 0 and "Deactivated snapshot:openai/gpt-4.1-mini for chat" in result.stdout
    assert active_ids() == {}
    assert describe(LogEntry.objects.latest("pk").change_message).startswith("Deactivated snapshot:openai/gpt-4.1-mini")

    again = run("deactivate", "--capability", "chat")
    assert again.code == 0 and again.stdout.strip() == "No model was active for chat."


def test_deactivate_refuses_an_unknown_capability(run):
    result = run("deactivate", "--capability", "video")
    assert result.code == 2 and result.error.startswith("Unknown capability 'video'.")


def test_capability_is_required(run):
    result = run("activate", "snapshot", MINI)
    assert result.code != 0 and "--capability" in result.error


def test_a_provider_that_cannot_list_its_catalog_exits_1(run, admin_user, providers):
    providers(["snapshot", "broken"])

    result = run("activate", "broken", "any-model", "--capability", "chat")

    assert result.code == 1 and result.error == "Cannot read the catalog of broken: connection refused"
    assert active_ids() == {}
