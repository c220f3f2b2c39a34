"""WSGI entry point of the demo project."""

import os
import sys
from pathlib import Path

from django.core.wsgi import get_wsgi_application

# The example project and the checkout's ai_models, as manage.py sets them up.
EXAMPLE_DIR = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(path) for path in (EXAMPLE_DIR, EXAMPLE_DIR.parent) if str(path) not in sys.path]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")

application = get_wsgi_application()
