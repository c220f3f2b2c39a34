"""guardrail.approve: the one price-ceiling rule of the admin's Activate, Saved models and the command line."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings

from ai_models.activation import ceilings as guardrail

pytestmark = pytest.mark.django_db
CEILING = override_settings(AI_MODELS={"PRICE_CEILINGS": {"chat": {"input": "1.00"}}})


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", is_staff=True)


@CEILING
def test_within_the_ceiling_needs_nothing_and_notes_nothing(staff):
    assert guardrail.approve("chat", Decimal("0.50"), None, staff, confirmed=False) == ""
    assert guardrail.approve("chat", None, None, None, confirmed=False) == ""  # unknown price: never above


@CEILING
def test_above_without_the_permission_is_refused_even_when_confirmed(staff):
    with pytest.raises(guardrail.AboveCeiling) as caught:
        guardrail.approve("chat", Decimal("3"), None, staff, confirmed=True)
    assert caught.value.permitted is False
    assert [(e.side, e.price, e.ceiling) for e in caught.value.excess] == [("input", Decimal("3"), Decimal("1.00"))]


@CEILING
def test_above_with_the_permission_needs_the_confirmation_then_notes_the_excess(staff):
    staff.user_permissions.add(Permission.objects.get(codename="activate_above_ceiling"))
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    with pytest.raises(guardrail.AboveCeiling) as caught:
        guardrail.approve("chat", Decimal("3"), None, staff, confirmed=False)
    assert caught.value.permitted is True
    note = guardrail.approve("chat", Decimal("3"), None, staff, confirmed=True)
    assert note == "above the price ceiling (input $3.00 > $1.00 per 1M tokens)"
