import pytest

from . import example_project


@pytest.fixture(autouse=True)
def _example_project():
    with example_project():
        yield
