import pytest

from ai_models import facts


@pytest.fixture(autouse=True)
def _fresh_datasets():
    """Each test reads the datasets anew (a refresh or a setting may have changed them)."""
    facts.forget()
    yield
    facts.forget()
