"""``active_model_changed``: once per change, on commit, never for a rollback, from every path."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from ai_models import activation
from ai_models.models import AIModel
from ai_models.signals import active_model_changed
from tests.factories import catalog_model


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    active_model_changed.connect(receiver, dispatch_uid="test-received")
    yield calls
    active_model_changed.disconnect(dispatch_uid="test-received")


def summary(calls):
    return [
        (call["capability"], call["previous"] and call["previous"].model_id, call["current"] and call["current"].model_id,
         call["via"])
        for call in calls
    ]


@pytest.mark.django_db(transaction=True)
def test_sent_once_per_change_on_commit(received):
    with transaction.atomic():
        activation.activate(catalog_model("a"), "chat", via="script")
        assert received == []  # not before the commit
    assert summary(received) == [("chat", None, "a", "script")]
    first = activation.activate(catalog_model("b"), "chat").model
    activation.reactivate(AIModel.objects.get(model_id="a"), via="rollback")
    activation.reactivate(AIModel.objects.get(model_id="a"))  # already active: no change, no signal
    activation.deactivate("chat", via="admin")
    assert summary(received) == [
        ("chat", None, "a", "script"),
        ("chat", "a", "b", "admin"),
        ("chat", "b", "a", "rollback"),
        ("chat", "a", None, "admin"),
    ]
    assert first.model_id == "b"


@pytest.mark.django_db(transaction=True)
def test_never_sent_for_a_rollback(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        activation.activate(catalog_model("a"), "chat")
        raise RuntimeError
    assert received == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_logged_and_the_others_still_run(received, caplog):
    def broken(sender, **kwargs):
        raise ValueError("receiver bug")

    active_model_changed.connect(broken, dispatch_uid="test-broken")
    try:
        activation.activate(catalog_model("a"), "chat")
    finally:
        active_model_changed.disconnect(dispatch_uid="test-broken")
    assert "receiver bug" in caplog.text and len(received) == 1


@pytest.mark.django_db(transaction=True)
def test_sent_by_the_command_line_and_the_admin(received, client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    call_command("ai_models", "activate", "snapshot", "openai/gpt-4.1-mini", "--capability", "chat", stdout=None)
    assert summary(received)[-1][1:] == (None, "openai/gpt-4.1-mini", "command line")
    assert received[-1]["user"] is None  # no --user: the command line, not a person
    client.force_login(user)
    row = AIModel.objects.get()
    response = client.post(
        "/admin/ai_models/aimodel/", {"action": "deactivate", "_selected_action": [row.pk], "confirm": "yes"}
    )
    assert response.status_code == 302
    assert summary(received)[-1] == ("chat", "openai/gpt-4.1-mini", None, "admin")
    assert received[-1]["user"] == user
