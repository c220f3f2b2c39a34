"""Admin registrations: Browse catalog, Saved models, Providers, Catalog rules (plain Django admin or Unfold)."""

from .catalog import CatalogEntryAdmin
from .curation import CatalogRuleAdmin
from .providers import ProviderAdmin
from .saved import AIModelAdmin

__all__ = ["AIModelAdmin", "CatalogEntryAdmin", "CatalogRuleAdmin", "ProviderAdmin"]
