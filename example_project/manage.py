#!/usr/bin/env python
"""Run the django-ai-models demo: `python example_project/manage.py runserver`."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # Run against the checkout's ai_models, whether or not the package is installed.
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
