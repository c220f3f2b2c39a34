"""The activation suites' scenarios: for every gate, a model it refuses and one it lets through.

``SCENARIOS`` must name every gate of ``activation.GATES`` (test_gates.py checks it), so a new
gate is one record in gates.py plus its scenario here.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from ai_models import activation
from ai_models.trial import TrialResult
from tests.admin.conftest import make_user
from tests.factories import catalog_model

CAPABILITIES = {
    "chat": "Chat",
    "embedding": "Embedding",
    "vision": {"label": "Vision", "kind": "chat", "requires": {"input_modalities": ["image"]}},
}


@dataclass(frozen=True)
class Scenario:
    """A capability, a model each side of one gate, and what must be true first (``setup``)."""

    capability: str
    refused: object  # CatalogModel the gate refuses
    passing: object  # CatalogModel it lets through
    setup: object = None  # called first (an active model to replace, say)
    trial: TrialResult | None = None  # given to activate with ``refused`` (the trial gate)


def _embedding_in_use():
    activation.activate(catalog_model("e/small", capabilities=("embedding",), dimensions=1536), "embedding")


FAILED = TrialResult(False, "chat", 12, error="test: the API key was rejected (HTTP 401)")
SCENARIOS = {
    "kind": Scenario("chat", catalog_model("openai/sora-2", capabilities=("video",)), catalog_model("a/chat")),
    "requirements": Scenario(
        "vision",
        catalog_model("a/blind", capabilities=("chat", "vision"), input_modalities=("text",)),
        catalog_model("a/seeing", capabilities=("chat", "vision"), input_modalities=("text", "image")),
    ),
    "ceiling": Scenario("chat", catalog_model("a/dear", input_price=Decimal("8")),
                        catalog_model("a/cheap", input_price=Decimal("0.10"))),
    "expired": Scenario("chat", catalog_model("a/old", expires=date(2001, 1, 1)),
                        catalog_model("a/new", expires=date(2999, 1, 1))),
    "embedding": Scenario("embedding", catalog_model("e/large", capabilities=("embedding",), dimensions=3072),
                          catalog_model("e/small", capabilities=("embedding",), dimensions=1536), _embedding_in_use),
    "trial": Scenario("chat", catalog_model("a/tested"), catalog_model("a/tested"), trial=FAILED),
}


@pytest.fixture
def gate_settings(db):
    """The scenarios' capabilities and a chat ceiling of $5 input."""
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": CAPABILITIES,
                                      "PRICE_CEILINGS": {"chat": {"input": "5"}}}):
        yield


@pytest.fixture
def users(db):
    """Users by what they may do: ``lead`` everything, ``activator`` activate only, ``editor`` nothing of ours."""
    return {
        "lead": make_user("lead", "ai_models.activate_aimodel", "ai_models.activate_above_ceiling"),
        "activator": make_user("activator", "ai_models.activate_aimodel"),
        "editor": make_user("editor", "ai_models.change_aimodel"),
    }
