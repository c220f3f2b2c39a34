"""The layout promises of docs/architecture.md: public names where the docs say, and no import circle."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ai_models"

DOCUMENTED = {
    "ai_models": ["get_active_model", "NoActiveModel", "UnknownCapability", "ProviderError", "ActivationError"],
    "ai_models.activation": ["activate", "deactivate", "reactivate", "save"],
    "ai_models.activation.ceilings": ["approve", "AboveCeiling", "can_exceed", "ceilings", "excesses"],
    "ai_models.drift": ["active_drift"],
    "ai_models.trial": ["run_trial", "trial_call"],
    "ai_models.testing": ["active_models"],
    "ai_models.providers": ["get_provider", "build_provider", "backends_in_use", "BUILTIN_PROVIDERS"],
}


@pytest.mark.parametrize("name", importlib.import_module("ai_models.catalog").__all__)
def test_every_public_catalog_name_imports_from_the_package(name):
    module = importlib.import_module("ai_models.catalog")
    assert getattr(module, name) is not None


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in DOCUMENTED.items() for n in names])
def test_the_documented_api_imports(module, name):
    assert hasattr(importlib.import_module(module), name)


def imported_modules(path: Path) -> set:
    """The ai_models modules a file imports, as dotted names (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("ai_models")}


def test_the_provider_registry_never_imports_the_models():
    # models -> providers only: the registry takes the Provider rows from its caller.
    for path in (PACKAGE / "providers").rglob("*.py"):
        assert "ai_models.models" not in imported_modules(path), path


def test_the_catalog_reaches_no_way_in_above_it():
    # Data flows providers -> catalog -> admin / CLI; the catalog never imports those.
    for path in (PACKAGE / "catalog").rglob("*.py"):
        above = {name for name in imported_modules(path) if name.startswith(("ai_models.admin", "ai_models.cli"))}
        assert not above, path



def test_no_module_of_the_package_is_over_400_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text().splitlines())) > 400 and "migrations" not in path.parts}
    assert not long
