"""The layout promises of docs/architecture.md: public names where the docs say, and the direction
of every import (those inside functions too): providers -> (facts ->) catalog -> activation -> front
ends, with no circle anywhere."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ai_models"

DOCUMENTED = {
    "ai_models": ["get_active_model", "NoActiveModel", "UnknownCapability", "ProviderError", "ActivationError"],
    "ai_models.activation": [
        "activate", "reactivate", "rollback", "save", "save_many", "deactivate", "set_fallbacks", "move_fallback",
        "delete_saved", "plan", "Plan", "Change", "Gate", "GATES", "Outcome", "Finding",
    ],
    "ai_models.exceptions": ["ActivationRefused", "ActivationBusy", "ActivationNotPermitted"],
    "ai_models.selection": ["activate", "deactivate", "reactivate", "save", "set_fallbacks", "get_active_model"],
    "ai_models.guardrail": ["can_exceed", "ceilings", "excesses"],
    "ai_models.drift": ["active_drift"],
    "ai_models.trial": ["run_trial", "trial_call"],
    "ai_models.testing": ["active_models"],
    "ai_models.usage": ["record_call", "acting_user", "month_summary"],
    "ai_models.providers": ["get_provider", "build_provider", "backends_in_use", "BUILTIN_PROVIDERS"],
    "ai_models.providers.test": ["TestProvider", "outbox", "script", "reset"],
}
FRONT_ENDS = ("ai_models.admin", "ai_models.api", "ai_models.cli", "ai_models.management", "ai_models.templatetags")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def imports(name: str) -> set:
    """The ai_models modules a module imports, anywhere in it (inside functions too), as dotted
    names: ``from . import x`` names the module x when there is one, else the package."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + [node.module] if node.module else base) if node.level else node.module
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {target for target in found if target in MODULES and target != name}


GRAPH = {name: imports(name) for name in MODULES}


def under(name: str, *packages) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def circles() -> list:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("name", importlib.import_module("ai_models.catalog").__all__)
def test_every_public_catalog_name_imports_from_the_package(name):
    module = importlib.import_module("ai_models.catalog")
    assert getattr(module, name) is not None


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in DOCUMENTED.items() for n in names])
def test_the_documented_api_imports(module, name):
    assert hasattr(importlib.import_module(module), name)


def test_the_graph_sees_imports_inside_functions():
    assert "ai_models.clients" in GRAPH["ai_models.models"]  # imported only inside AIModel's methods
    assert "ai_models.activation.history" in GRAPH["ai_models.activation.flow"]


def test_no_import_circle_counting_imports_inside_functions():
    assert circles() == []


def test_providers_never_import_the_models_nor_anything_above_them():
    # models -> providers only: the registry takes the Provider rows from its caller.
    for name in MODULES:
        if under(name, "ai_models.providers"):
            above = {t for t in GRAPH[name] if under(t, "ai_models.models", "ai_models.catalog", "ai_models.activation",
                                                     "ai_models.active", *FRONT_ENDS)}
            assert not above, name


def test_the_catalog_reaches_nothing_above_it():
    # Data flows providers -> catalog -> activation -> front ends; the catalog never imports those.
    for name in MODULES:
        if under(name, "ai_models.catalog"):
            above = {t for t in GRAPH[name] if under(t, "ai_models.activation", "ai_models.drift", *FRONT_ENDS)}
            assert not above, name


def test_the_facts_reach_nothing_above_the_catalog():
    # Model facts complete a provider's parse before the catalog caches it: below the catalog.
    for name in MODULES:
        if under(name, "ai_models.facts"):
            above = {t for t in GRAPH[name] if under(t, "ai_models.models", "ai_models.catalog", "ai_models.activation",
                                                     "ai_models.active", "ai_models.drift", *FRONT_ENDS)}
            assert not above, name


def test_activation_reaches_no_front_end():
    for name in MODULES:
        if under(name, "ai_models.activation"):
            assert not {t for t in GRAPH[name] if under(t, *FRONT_ENDS)}, name


def test_front_ends_never_lock_write_history_or_open_transactions_themselves():
    # One flow (ai_models.activation) owns locks, transactions and the history; rotating keys is
    # the one write of its own (it touches no capability).
    words = ("select_for_update", "transaction.atomic", "LogEntry.objects.create", "log_action")
    for name, path in MODULES.items():
        if under(name, *FRONT_ENDS) and name != "ai_models.cli.rotate_keys":
            text = path.read_text()
            assert not [word for word in words if word in text], name
