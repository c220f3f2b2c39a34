import pytest

from ai_models import facts
from ai_models.conf import DEFAULTS

SHIPPED_SOURCES = ["models.dev", "litellm"]  # the package's default, which tests/conftest.py turns off


@pytest.fixture(autouse=True)
def _fresh_datasets(monkeypatch):
    """The model facts on, as shipped; each test reads the datasets anew (a refresh or a setting
    may have changed them)."""
    monkeypatch.setitem(DEFAULTS, "FACTS_SOURCES", SHIPPED_SOURCES)
    facts.forget()
    yield
    facts.forget()
