"""The flow of every change: what it writes, what it records, what it announces, who may."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.db import IntegrityError
from django.test import override_settings

from ai_models import ActivationError, NoActiveModel, UnknownCapability, activation, get_active_model, get_active_models
from ai_models.activation.history import describe
from ai_models.exceptions import ActivationBusy, ActivationNotPermitted, ActivationRefused, NoEarlierModel
from ai_models.models import AIModel, Provider
from ai_models.providers import test as test_provider
from ai_models.signals import active_model_changed
from tests.admin.conftest import make_user
from tests.factories import catalog_model


@pytest.fixture
def staff(db):
    return make_user("staff", "ai_models.activate_aimodel", "ai_models.delete_aimodel")


def active_ids():
    return dict(AIModel.objects.filter(is_active=True).values_list("capability", "model_id"))


def test_activate_saves_only_the_chosen_model_and_logs_it(staff):
    entry = catalog_model("openai/gpt-4.1-mini", name="GPT-4.1 mini")
    change = activation.activate(entry, "chat", staff)
    model = change.model

    assert change.created and change.previous is None and change.replaced is None
    assert model.is_active and model.activated_by == staff and model.activated_at
    assert model.display_name == "GPT-4.1 mini"
    assert model.metadata["model_id"] == "openai/gpt-4.1-mini"
    assert AIModel.objects.count() == 1
    log = LogEntry.objects.get()
    assert log.user == staff and "Activated snapshot:openai/gpt-4.1-mini for Chat." in describe(log.change_message)


def test_activating_another_model_swaps_and_keeps_history(staff):
    a = activation.activate(catalog_model("a"), "chat", staff).model
    change = activation.activate(catalog_model("b"), "chat", staff)
    assert change.previous == a and change.replaced == a and not change.replaced.is_active
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

    monkeypatch.setattr(activation.flow.history, "record", broken_log)
    with pytest.raises(RuntimeError):
        activation.activate(catalog_model("b"), "chat", staff)

    assert active_ids() == {"chat": "a"}
    assert not AIModel.objects.filter(model_id="b").exists()
    assert get_active_model("chat").model_id == "a"


def test_save_without_activating_and_deactivate(staff):
    activation.activate(catalog_model("a"), "chat", staff)
    saved = activation.save(catalog_model("b"), "chat", staff).model
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


def test_a_collision_with_a_write_outside_the_flow_is_reported_as_busy(staff, monkeypatch):
    real_save = AIModel.save

    def colliding(self, *args, **kwargs):
        if self.model_id == "b":
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_save(self, *args, **kwargs)

    activation.activate(catalog_model("a"), "chat", staff)
    monkeypatch.setattr(AIModel, "save", colliding)
    with pytest.raises(ActivationBusy, match="try again"):
        activation.activate(catalog_model("b"), "chat", staff)
    assert active_ids() == {"chat": "a"}


def test_provider_text_with_nul_characters_is_stored(staff):
    """PostgreSQL refuses NUL in text and JSON; provider payloads may carry one."""
    entry = catalog_model("a", name="bad\x00name", description="x\x00y", raw={"note": "nul\x00here"})
    model = activation.activate(entry, "chat", staff).model
    model.refresh_from_db()
    assert (model.display_name, model.description, model.metadata["raw"]["note"]) == ("badname", "xy", "nulhere")


def test_non_finite_numbers_in_provider_data_do_not_block_activation(staff):
    """Python's JSON parser reads NaN and Infinity from a provider; no database stores them."""
    entry = catalog_model("a", raw={"score": float("nan"), "limits": [float("inf"), 1.5]})
    model = activation.activate(entry, "chat", staff).model
    model.refresh_from_db()
    assert model.metadata["raw"] == {"score": None, "limits": [None, 1.5]}


def test_a_saved_model_of_a_provider_no_longer_registered_can_still_be_reactivated(staff):
    Provider.objects.create(slug="retired-vendor")
    activation.activate(catalog_model("old", provider="retired-vendor"), "chat", staff)
    activation.activate(catalog_model("new"), "chat", staff)
    activation.reactivate(AIModel.objects.get(model_id="old"), staff)
    assert active_ids() == {"chat": "old"}


def test_deactivate_only_the_model_the_caller_saw(staff):
    seen = activation.activate(catalog_model("a"), "chat", staff).model
    activation.activate(catalog_model("b"), "chat", staff)  # replaced meanwhile
    assert activation.deactivate("chat", staff, only=seen) is None
    assert active_ids() == {"chat": "b"}


def test_the_signal_names_the_model_really_replaced_and_fires_once_per_change(staff, django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, capability, previous, current, **kwargs):
        seen.append((capability, previous and previous.model_id, current and current.model_id))

    active_model_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            activation.activate(catalog_model("a"), "chat", staff)
            activation.activate(catalog_model("a"), "chat", staff)  # the same again: nothing changes hands
            activation.activate(catalog_model("b"), "chat", staff)
            activation.deactivate("chat", staff)
    finally:
        active_model_changed.disconnect(receiver)
    assert seen == [("chat", None, "a"), ("chat", "a", "b"), ("chat", "b", None)]


def test_every_change_needs_the_permission_to_activate(db):
    editor = make_user("editor", "ai_models.change_aimodel")
    row = activation.activate(catalog_model("a"), "chat").model
    other = activation.save(catalog_model("b"), "chat").model
    calls = [
        lambda: activation.activate(catalog_model("c"), "chat", editor),
        lambda: activation.reactivate(other, editor),
        lambda: activation.rollback("chat", editor),
        lambda: activation.save(catalog_model("c"), "chat", editor),
        lambda: activation.save_many([catalog_model("c")], "chat", editor),
        lambda: activation.deactivate("chat", editor),
        lambda: activation.set_fallbacks("chat", [other], editor),
        lambda: activation.move_fallback(other, 1, editor),
        lambda: activation.delete_saved([other], editor),
    ]
    for call in calls:
        with pytest.raises(ActivationNotPermitted):
            call()
    assert active_ids() == {"chat": row.model_id} and AIModel.objects.count() == 2
    assert not AIModel.objects.filter(fallback_position__isnull=False).exists()


def test_rollback_activates_the_model_active_before(staff):
    with pytest.raises(NoEarlierModel):
        activation.rollback("chat", staff)
    activation.activate(catalog_model("a"), "chat", staff)
    activation.save(catalog_model("never-active"), "chat", staff)
    activation.activate(catalog_model("b"), "chat", staff)
    change = activation.rollback("chat", staff)
    assert change.model.model_id == "a" and change.replaced.model_id == "b"


def test_saving_many_is_all_or_none_and_a_model_in_use_passes_its_gates(staff):
    activation.activate(catalog_model("a", input_price=Decimal("1")), "chat", staff)
    dearer = catalog_model("a", input_price=Decimal("9"))  # the active model, its price up since
    with override_settings(AI_MODELS={"PRICE_CEILINGS": {"chat": {"input": "5"}}}):
        with pytest.raises(ActivationRefused) as refused:
            activation.save_many([catalog_model("b"), dearer], "chat", staff)
        assert refused.value.keys == ("ceiling",) and "Not saving snapshot:a for Chat, which it serves" in str(
            refused.value)
        assert sorted(AIModel.objects.values_list("model_id", flat=True)) == ["a"]
        changes = activation.save_many([catalog_model("b"), dearer], "chat", overrides={"ceiling"})
    assert [change.model.model_id for change in changes] == ["b", "a"] and changes[1].model.is_active
    assert AIModel.objects.get(model_id="a").input_price == Decimal("9")


def test_deleting_keeps_the_models_in_use_and_records_the_others(staff):
    active = activation.activate(catalog_model("a"), "chat", staff).model
    fallback = activation.save(catalog_model("b"), "chat", staff).model
    spare = activation.save(catalog_model("c"), "chat", staff).model
    activation.set_fallbacks("chat", [fallback], staff)
    deletion = activation.delete_saved(AIModel.objects.all(), staff)
    assert [row.pk for row in deletion.deleted] == [spare.pk]
    assert sorted(row.pk for row in deletion.kept) == sorted([active.pk, fallback.pk])
    assert set(AIModel.objects.values_list("model_id", flat=True)) == {"a", "b"}
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.object_id == str(spare.pk) and describe(entry.change_message).startswith("Deleted while not in use.")


def test_a_fallback_position_is_one_models_and_moves_are_recorded(staff):
    activation.activate(catalog_model("a"), "chat", staff)
    b = activation.save(catalog_model("b"), "chat", staff).model
    c = activation.save(catalog_model("c"), "chat", staff).model
    activation.move_fallback(b, 1, staff)
    with pytest.raises(ActivationError, match="has fallback position 1"):
        activation.move_fallback(c, 1, staff)
    activation.move_fallback(c, 2, staff)
    assert [row.model_id for row in get_active_models("chat")] == ["a", "b", "c"]
    activation.move_fallback(b, None, staff)
    told = describe(LogEntry.objects.filter(object_id=str(b.pk)).latest("pk").change_message)
    assert told == "Set the fallbacks for Chat, in order: snapshot:c. Via the admin."


def test_invalid_parameters_change_nothing(staff):
    with pytest.raises(ActivationError, match="Not activating snapshot:a"):
        activation.activate(catalog_model("a"), "chat", staff, parameters={"temperature": "hot"})
    assert not AIModel.objects.exists()


@override_settings(AI_MODELS={"PROVIDERS": {"acme": {"CLASS": "ai_models.providers.test.TestProvider"}}})
def test_a_test_call_first_refuses_on_failure_and_is_kept_on_success(staff):
    entry = catalog_model("acme-chat", provider="acme")
    test_provider.script("acme", answer="reject")
    with pytest.raises(ActivationRefused) as refused:
        activation.activate(entry, "chat", staff, test=True)
    assert refused.value.keys == ("trial",) and "the API key was rejected" in str(refused.value)
    assert not AIModel.objects.exists()

    test_provider.script("acme", text="OK")
    change = activation.activate(entry, "chat", staff, test=True)
    assert change.model.trial_result == "reply “OK”" and change.model.trial_latency_ms is not None
    assert [call.kind for call in test_provider.outbox] == ["chat", "chat"]


def test_the_deprecated_selection_module_still_returns_the_saved_model(staff):
    from ai_models import selection

    with pytest.warns(DeprecationWarning, match="use ai_models.activation.activate"):
        row = selection.activate(catalog_model("a", input_modalities=("text",)), "chat", staff,
                                 override_requirements=True)
    assert isinstance(row, AIModel) and row.is_active
    with pytest.warns(DeprecationWarning), override_settings(AI_MODELS={"PRICE_CEILINGS": {"chat": {"input": "0.1"}}}):
        with pytest.raises(ActivationRefused):  # every gate applies to the old names too
            selection.activate(catalog_model("b"), "chat", staff)
