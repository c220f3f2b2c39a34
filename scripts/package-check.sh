#!/usr/bin/env bash
# Packaging smoke check (`make package-check`): what `pip install django-ai-models` would give a user.
#
#   1. build the wheel and the sdist into a temporary directory, and `twine check` them
#   2. assert both hold the templates, static files, compiled translations (.mo), migrations,
#      the snapshot catalog and py.typed
#   3. install the wheel (Django and the other dependencies from the index) into a fresh venv made
#      with the same Python the Makefile uses (scripts/find-python), outside the source tree
#   4. in a minimal project (admin, auth, contenttypes, sessions, messages + ai_models, SQLite):
#      `django-admin check`, `django-admin migrate`, a Python smoke test of the public API, the
#      packaged snapshot and translations, `django-admin ai_models catalog/active`, and
#      `ai_models facts` (the models.dev dataset installed as a dependency)
#
# Tools (build, twine) come from $TOOLS_PYTHON (default .venv/bin/python) when it has them, else
# from a throwaway venv. Exits non-zero on the first failure. KEEP=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf 'package-check: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ai-models-package-check.XXXXXX")
cleanup() { if [ "${KEEP:-}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT

python=$(scripts/find-python) || die "no usable Python (scripts/find-python)"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# --- 1. build + twine check --------------------------------------------------------------------
tools=${TOOLS_PYTHON:-.venv/bin/python}
if ! { [ -x "$tools" ] && "$tools" -c 'import build, twine' 2>/dev/null; }; then
    say "installing build and twine into a throwaway venv"
    "$python" -m venv "$tmp/tools"
    "$tmp/tools/bin/python" -m pip install -q build twine >"$tmp/pip-tools.log" 2>&1 \
        || { cat "$tmp/pip-tools.log" >&2; die "pip install build twine"; }
    tools=$tmp/tools/bin/python
fi

say "building the sdist, then the wheel from the sdist (so MANIFEST.in is tested too)"
"$tools" -m build --outdir "$tmp/dist" . >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "python -m build"; }
# A data directory setuptools does not see as a package is warned about on every `pip install`.
if grep -q "would be ignored" "$tmp/build.log"; then
    grep "is absent from the .packages. configuration" "$tmp/build.log" >&2
    die "setuptools warns 'Package would be ignored': list the directories in setup.cfg's packages"
fi
wheel=$(ls "$tmp"/dist/*.whl)
sdist=$(ls "$tmp"/dist/*.tar.gz)
say "built $(basename "$wheel") and $(basename "$sdist")"
"$tools" -m twine check --strict "$tmp"/dist/* || die "twine check"

# --- 2. contents ---------------------------------------------------------------------------------
"$tools" - "$wheel" "$sdist" "$root" <<'PY' || die "package contents"
import sys, tarfile, zipfile
from pathlib import Path

wheel, sdist, root = sys.argv[1], sys.argv[2], Path(sys.argv[3])
wheel_names = set(zipfile.ZipFile(wheel).namelist())
with tarfile.open(sdist) as tar:
    prefix = tar.getnames()[0].split("/")[0] + "/"
    sdist_names = {name.removeprefix(prefix) for name in tar.getnames()}

# Every packaged file of the source tree, by kind; each kind must have at least one file.
source = root / "ai_models"
kinds = {
    "templates": sorted(source.glob("templates/**/*.html")),
    "static": sorted(p for p in source.glob("static/**/*") if p.is_file()),
    "migrations": sorted(source.glob("migrations/0*.py")),
    "snapshot catalog": [source / "snapshot" / "catalog.json"],
    "py.typed": [source / "py.typed"],
    "management command": [source / "management" / "commands" / "ai_models.py"],
}
po_files = sorted(source.glob("locale/*/LC_MESSAGES/*.po"))
kinds["translations (.mo)"] = [po.with_suffix(".mo") for po in po_files]

problems = []
for kind, paths in kinds.items():
    if not paths:
        problems.append(f"no {kind} in the source tree")
    for path in paths:
        name = str(path.relative_to(root))
        if not path.exists():
            problems.append(f"{name} is missing from the source tree (run compilemessages for .mo files)")
        if name not in wheel_names:
            problems.append(f"wheel lacks {name}")
        if name not in sdist_names:
            problems.append(f"sdist lacks {name}")
    print(f"package-check: {kind}: {len(paths)} file(s)")

for name in ("README.md", "LICENSE", "setup.cfg", "pyproject.toml"):
    if name not in sdist_names:
        problems.append(f"sdist lacks {name}")
# What must never ship.
for name in sorted(wheel_names):
    top = name.split("/")[0]
    if top in ("tests", "example_project", "bench", "docs") or "__pycache__" in name or name.endswith(".pyc"):
        problems.append(f"wheel ships {name}")
if problems:
    print("\n".join(f"package-check: {problem}" for problem in problems), file=sys.stderr)
    sys.exit(1)
print(f"package-check: wheel holds {len(wheel_names)} files, sdist {len(sdist_names)}")
PY

# --- 3. fresh venv -------------------------------------------------------------------------------
say "installing the wheel into a fresh venv ($("$python" -V 2>&1))"
"$python" -m venv "$tmp/venv"
venv_py=$tmp/venv/bin/python
# Output only on failure: pip's notes about this machine's extra indexes are noise here.
"$venv_py" -m pip install -q "$wheel" >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log" >&2; die "pip install of the wheel"; }

# --- 4. minimal project --------------------------------------------------------------------------
mkdir -p "$tmp/project"
cat >"$tmp/project/smoke_settings.py" <<PY
SECRET_KEY = "package-check"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "ai_models",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "$tmp/project/db.sqlite3"}}
# A cache every process shares, as production needs (a locmem cache would warn: ai_models.W001).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": "$tmp/project/cache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PY

# Run from the project directory, so the source tree is not on sys.path: only the wheel is.
cd "$tmp/project"
export PYTHONPATH=$tmp/project DJANGO_SETTINGS_MODULE=smoke_settings
admin=$tmp/venv/bin/django-admin

say "django-admin check"
"$admin" check --fail-level WARNING || die "django-admin check"
say "django-admin migrate"
"$admin" migrate --noinput -v 0 || die "django-admin migrate"

say "python smoke test"
"$venv_py" - "$tmp/venv" <<'PY' || die "python smoke test"
import json
import sys
from importlib.resources import files

import django

django.setup()

import ai_models
from ai_models import NoActiveModel, get_active_model
from ai_models.providers import get_provider

assert ai_models.__file__.startswith(sys.argv[1]), f"ai_models imported from {ai_models.__file__}, not the venv"
try:
    get_active_model("chat")
except NoActiveModel:
    pass
else:
    raise AssertionError("a fresh database has no active model")

# The compiled translations are found in the installed package.
from django.apps import apps
from django.utils import translation

with translation.override("fa"):
    label = str(apps.get_app_config("ai_models").verbose_name)
assert label != "AI models", "the Persian .mo was not loaded from the wheel"

payload = json.loads((files("ai_models") / "snapshot" / "catalog.json").read_text(encoding="utf-8"))
models = get_provider("snapshot").parse_catalog(payload)
assert len(models) > 0 and models.skipped == 0, (len(models), models.skipped)
print(f"package-check: ai_models {ai_models.__version__} on Django {django.get_version()}: "
      f"packaged snapshot parses to {len(models)} models")
PY

say "django-admin ai_models catalog / active"
"$admin" ai_models catalog --json >catalog.json || die "ai_models catalog"
"$venv_py" -c 'import json,sys; d=json.load(open("catalog.json")); assert d["entries"] and d["providers"][0]["state"]=="fresh", d["providers"]' \
    || die "ai_models catalog lists nothing"
"$admin" ai_models active >/dev/null || die "ai_models active"
say "django-admin ai_models facts: the models.dev dataset comes with the package, offline"
"$admin" ai_models facts --json >facts.json || die "ai_models facts"
"$venv_py" -c 'import json, sys; rows = json.load(open("facts.json"))["datasets"]; sys.exit(not rows[0]["installed"] or rows[0]["name"] != "models.dev")' \
    || die "the models.dev dataset is not installed with the package"

say "ok"
