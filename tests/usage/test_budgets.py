"""Monthly budgets: warned at a share, at the limit the cheapest cheaper fallback serves (or calls are
refused), told by the banner and the signal once, and the next month starts fresh."""

import asyncio
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connections
from django.urls import reverse

from ai_models import BudgetExceeded, aget_active_model, get_active_model, get_active_models
from ai_models.models import Budget
from ai_models.signals import budget_reached
from ai_models.usage import acting_user, budgets

from .conftest import saved

pytestmark = pytest.mark.django_db
MESSAGES = [{"role": "user", "content": "Hi"}]
NEXT_MONTH = 1775001600.0 + 30  # 2026-04-01 00:00:30 UTC


@pytest.fixture
def told():
    heard = []

    def receiver(sender, budget, spent, limit, level, **kwargs):
        heard.append((budget.capability, level, spent, limit))

    budget_reached.connect(receiver, dispatch_uid="usage-test-receiver")
    yield heard
    budget_reached.disconnect(dispatch_uid="usage-test-receiver")


@pytest.fixture
def chain(server):
    return saved(), saved("gpt-cheap", active=False, fallback_position=1, input_price="0.1", output_price="0.1")


def call():
    model = get_active_model("chat")
    model.get_backend().chat(model.model_id, MESSAGES)
    return model


def test_at_the_limit_the_cheaper_fallback_serves_then_next_month_is_fresh(chain, frozen_clock, told, admin_client):
    active, cheap = chain
    Budget.objects.create(capability="chat", monthly_limit=Decimal("0.01"), warn_at=Decimal("0.5"))

    assert call() == active  # spends 0.006: past the warn share
    assert call() == active
    assert told == [("chat", "warning", Decimal("0.006"), Decimal("0.01"))]
    assert get_active_model("chat") == cheap  # 0.012 spent: over the limit
    assert get_active_models("chat") == [cheap]
    assert [level for _capability, level, *_ in told] == ["warning", "limit"]
    page = admin_client.get(reverse("admin:ai_models_usage_changelist")).content.decode()
    assert "budget of Chat is spent" in page

    frozen_clock.set(NEXT_MONTH)
    assert get_active_model("chat") == active
    assert budgets.spent("chat") == 0


def test_refusing_at_the_limit_raises_budget_exceeded(chain, frozen_clock):
    Budget.objects.create(capability="chat", monthly_limit=Decimal("0.006"), on_limit=Budget.REFUSE)
    call()

    with pytest.raises(BudgetExceeded) as refused:
        get_active_model("chat")
    assert refused.value.capability == "chat" and refused.value.spent == Decimal("0.006")


def test_without_a_cheaper_fallback_the_limit_refuses(server, frozen_clock):
    saved()
    saved("gpt-dear", active=False, fallback_position=1, input_price="20", output_price="80")
    Budget.objects.create(capability="chat", monthly_limit=Decimal("0.001"))
    call()

    with pytest.raises(BudgetExceeded):
        get_active_model("chat")


def test_a_users_budget_limits_only_that_user(chain, frozen_clock, django_user_model):
    active, cheap = chain
    ana, bo = (django_user_model.objects.create(username=name) for name in ("ana", "bo"))
    Budget.objects.create(capability="chat", user=ana, monthly_limit=Decimal("0.006"), on_limit=Budget.REFUSE)

    with acting_user(ana):
        call()
        with pytest.raises(BudgetExceeded) as refused:
            get_active_model("chat")
    assert refused.value.user == str(ana.pk)
    with acting_user(bo):
        assert get_active_model("chat") == active
    assert get_active_model("chat") == active


def test_a_budget_changed_is_checked_at_once(chain, frozen_clock):
    active, cheap = chain
    budget = Budget.objects.create(capability="chat", monthly_limit=Decimal("1"))
    call()
    assert get_active_model("chat") == active

    budget.monthly_limit = Decimal("0.001")
    budget.save()

    assert get_active_model("chat") == cheap


@pytest.mark.django_db(transaction=True)  # the async lookup reads in a thread of its own
def test_an_async_caller_sees_the_budget_too(chain, frozen_clock):
    active, cheap = chain
    budget = Budget.objects.create(capability="chat", monthly_limit=Decimal("0.001"))
    call()

    assert asyncio.run(aget_active_model("chat")) == cheap
    budget.on_limit = Budget.REFUSE
    budget.save()
    with pytest.raises(BudgetExceeded):
        asyncio.run(aget_active_model("chat"))
    asyncio.run(sync_to_async(connections.close_all)())  # the lookup thread's connection


def test_the_signal_is_sent_once_per_month_and_level_across_checks(chain, frozen_clock, told):
    Budget.objects.create(capability="chat", monthly_limit=Decimal("0.001"), on_limit=Budget.FALLBACK)
    call()
    for _ in range(3):
        budgets.forget()  # as if read again by another process
        get_active_model("chat")

    assert [level for _capability, level, *_ in told] == ["limit"]


def test_changing_a_budget_in_the_admin_is_audited(admin_client):
    from django.contrib.admin.models import LogEntry

    response = admin_client.post(
        reverse("admin:ai_models_budget_add"),
        {"capability": "chat", "monthly_limit": "25", "warn_at": "0.8", "on_limit": "refuse"},
    )
    assert response.status_code == 302
    budget = Budget.objects.get()
    admin_client.post(
        reverse("admin:ai_models_budget_change", args=[budget.pk]),
        {"capability": "chat", "monthly_limit": "40", "warn_at": "0.8", "on_limit": "refuse"},
    )

    entries = LogEntry.objects.filter(object_id=str(budget.pk)).order_by("action_time")
    assert [entry.action_flag for entry in entries] == [1, 2]  # added, then changed
    assert "Monthly limit" in entries[1].get_change_message()


def test_budgets_due_during_a_database_outage_keep_the_last_ones(chain, frozen_clock, monkeypatch):
    active, cheap = chain
    Budget.objects.create(capability="chat", monthly_limit=Decimal("0.006"), on_limit=Budget.FALLBACK)
    call()
    assert get_active_model("chat") == cheap  # at the limit
    reads = []

    def restarting():
        reads.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(budgets, "_read", restarting)
    monkeypatch.setattr(budgets._state, "recheck_at", 0.0)  # due
    assert [get_active_model("chat") for _ in range(20)] == [cheap] * 20  # the last budgets, not a 500
    assert len(reads) == 1  # tried again after BUDGET_RECHECK, not on every call

    budgets.forget()  # none read yet (a process started during the outage): none apply
    assert get_active_model("chat") == active
