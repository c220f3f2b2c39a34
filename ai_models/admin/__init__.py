"""Admin registrations: Browse catalog, Saved models, Providers, Usage, Budgets, Rollouts (plain Django admin or Unfold)."""

from .catalog import CatalogEntryAdmin
from .providers import ProviderAdmin
from .rollouts import RolloutAdmin
from .saved import AIModelAdmin
from .usage import BudgetAdmin, UsageAdmin

__all__ = ["AIModelAdmin", "BudgetAdmin", "CatalogEntryAdmin", "ProviderAdmin", "RolloutAdmin", "UsageAdmin"]
