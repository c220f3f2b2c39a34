"""Admin registrations: Browse catalog, Saved models, Providers, Catalog rules, Usage, Budgets,
Rollouts (plain Django admin or Unfold)."""

from .catalog import CatalogEntryAdmin
from .curation import CatalogRuleAdmin
from .providers import ProviderAdmin
from .rollouts import RolloutAdmin
from .saved import AIModelAdmin
from .usage import BudgetAdmin, UsageAdmin

__all__ = [
    "AIModelAdmin", "BudgetAdmin", "CatalogEntryAdmin", "CatalogRuleAdmin", "ProviderAdmin", "RolloutAdmin", "UsageAdmin",
]
