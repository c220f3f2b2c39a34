import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model

from ai_models import ActivationError, NoActiveModel, UnknownCapability, get_active_model
from ai_models.models import AIModel
from ai_models import activation
from ai_models.activation.history import describe
from tests.factories import catalog_model


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("staff", password="x", is_staff=True)


def active_ids():
    return dict(AIModel.objects.filter(is_active=True).values_list("capability", "model_id"))


def test_activate_saves_only_the_chosen_model_and_logs_it(staff):
    entry = catalog_model("openai/gpt-4.1-mini", name="GPT-4.1 mini")
    model = activation.activate(entry, "chat", staff)

    assert model.is_active and model.activated_by == staff and model.activated_at
    assert model.display_name == "GPT-4.1 mini"
    assert model.metadata["model_id"] == "openai/gpt-4.1-mini"
    assert AIModel.objects.count() == 1
    log = LogEntry.objects.get()
    assert log.user == staff and "Activated snapshot:openai/gpt-4.1-mini for Chat." in describe(log.change_message)


def test_activating_another_model_swaps_and_keeps_history(staff):
    activation.activate(catalog_model("a"), "chat", staff)
    activation.activate(catalog_model("b"), "chat", staff)
    assert active_ids() == {"chat": "b"}
    assert AIModel.objects.filter(capability="chat").count() == 2

    # Re-activating the old row is the rollback.
    activation.reactivate(AIModel.objects.get(model_id="a"), staff)
    assert active_ids() == {"chat": "a"}
    rolled_back = LogEntry.objects.filter(object_id=str(AIModel.objects.get(model_id="a").pk)).latest("pk")
    assert "again for Chat (a rollback to a saved model). It replaced snapshot:b." in describe(rolled_back.change_message)


def test_failure_midway_leaves_the_previous_model_active(staff, monkeypatch):
    activation.activate(catalog_model("a"), "chat", staff)

    def broken_log(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(activation.flow, "_log", broken_log)
    with pytest.raises(RuntimeError):
        activation.activate(catalog_model("b"), "chat", staff)

    assert active_ids() == {"chat": "a"}
    assert not AIModel.objects.filter(model_id="b").exists()
    assert get_active_model("chat").model_id == "a"


def test_save_without_activating_and_deactivate(staff):
    activation.activate(catalog_model("a"), "chat", staff)
    saved = activation.save(catalog_model("b"), "chat", staff)
    assert not saved.is_active and active_ids() == {"chat": "a"}

    assert activation.deactivate("chat", staff).model_id == "a"
    assert active_ids() == {}
    assert activation.deactivate("chat", staff) is None
    with pytest.raises(NoActiveModel):
        get_active_model("chat")


def test_unknown_capability_is_refused_with_the_valid_names(staff):
    with pytest.raises(UnknownCapability) as caught:
        activation.activate(catalog_model("a"), "video", staff)
    assert "'video'" in str(caught.value) and "chat, content, image, audio" in str(caught.value)
    assert AIModel.objects.count() == 0


def test_activation_retries_then_reports_a_collision_cleanly(staff, monkeypatch):
    from django.db import IntegrityError

    calls = []

    def colliding(*args):
        calls.append(args)
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(activation.flow, "_swap_once", colliding)
    with pytest.raises(ActivationError, match="Nothing was changed"):
        activation.activate(catalog_model("a"), "chat", staff)
    assert len(calls) == 3


def test_provider_text_with_nul_characters_is_stored(staff):
    """PostgreSQL refuses NUL in text and JSON; provider payloads may carry one."""
    entry = catalog_model("a", name="bad\x00name", description="x\x00y", raw={"note": "nul\x00here"})
    model = activation.activate(entry, "chat", staff)
    model.refresh_from_db()
    assert (model.display_name, model.description, model.metadata["raw"]["note"]) == ("badname", "xy", "nulhere")


def test_non_finite_numbers_in_provider_data_do_not_block_activation(staff):
    """Python's JSON parser reads NaN and Infinity from a provider; no database stores them."""
    entry = catalog_model("a", raw={"score": float("nan"), "limits": [float("inf"), 1.5]})
    model = activation.activate(entry, "chat", staff)
    model.refresh_from_db()
    assert model.metadata["raw"] == {"score": None, "limits": [None, 1.5]}


def test_a_saved_model_of_a_provider_no_longer_registered_can_still_be_reactivated(staff):
    from ai_models.models import Provider

    Provider.objects.create(slug="retired-vendor")
    activation.activate(catalog_model("old", provider="retired-vendor"), "chat", staff)
    activation.activate(catalog_model("new"), "chat", staff)
    activation.reactivate(AIModel.objects.get(model_id="old"), staff)
    assert active_ids() == {"chat": "old"}


def test_deactivate_only_the_model_the_caller_saw(staff):
    seen = activation.activate(catalog_model("a"), "chat", staff)
    activation.activate(catalog_model("b"), "chat", staff)  # replaced meanwhile
    assert activation.deactivate("chat", staff, only=seen) is None
    assert active_ids() == {"chat": "b"}
