import pytest
from django.conf import settings
from django.test import override_settings

CEILINGS = {"chat": {"input": "0.30", "output": "2"}}


@pytest.fixture
def ceilings():
    """A chat ceiling of $0.30 in / $2.00 out per 1M tokens: GPT-4.1 mini ($0.40 / $1.60) is above it."""
    with override_settings(AI_MODELS={**settings.AI_MODELS, "PRICE_CEILINGS": CEILINGS}):
        yield CEILINGS
