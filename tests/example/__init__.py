"""Tests of example_project, run in the same pytest run as the rest of the suite.

They use the shared tests.settings with the example's URLconf and templates on top
(``example_project()``), so they share the suite's test database and theme leg;
``test_project.py`` runs the example's own settings in a subprocess.

The ``generation`` app is deliberately not added to INSTALLED_APPS: re-populating the app
registry mid-run re-runs every ``ready()``, and Unfold's builds a new, empty ``admin.site``,
which would leave every later admin test without its registrations. The app has no models,
so its URLconf and templates are all the tests need.
"""

import copy
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.test import override_settings

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "example_project"
TEMPLATE_DIR = EXAMPLE_DIR / "generation" / "templates"

if str(EXAMPLE_DIR) not in sys.path:
    # Appended, so the example's top-level packages (demo, generation) shadow nothing.
    sys.path.append(str(EXAMPLE_DIR))


@contextmanager
def example_project():
    """The example's URLconf, templates and login page on top of the current settings."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0].get("DIRS", []), TEMPLATE_DIR]
    with override_settings(ROOT_URLCONF="demo.urls", TEMPLATES=templates, LOGIN_URL="admin:login"):
        yield
