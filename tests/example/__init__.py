"""Tests of example_project, run in the same pytest run as the rest of the suite.

They use the shared tests.settings with the example's ``generation`` app and URLconf added
(``example_project()``), rather than the example's own settings, so they share the suite's test
database and theme leg. ``test_project.py`` loads the example's own settings in a subprocess.
"""

import sys
from contextlib import contextmanager
from pathlib import Path

from django.test import modify_settings, override_settings

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "example_project"


@contextmanager
def example_project():
    """The example's app and URLconf on top of the current settings."""
    if str(EXAMPLE_DIR) not in sys.path:
        # Appended, so the example's top-level packages (demo, generation) shadow nothing.
        sys.path.append(str(EXAMPLE_DIR))
    with modify_settings(INSTALLED_APPS={"append": "generation"}), override_settings(ROOT_URLCONF="demo.urls"):
        yield
