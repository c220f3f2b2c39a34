"""Admin registrations: Browse catalog, Saved models, Providers (plain Django admin or Unfold)."""

from .catalog import CatalogEntryAdmin
from .providers import ProviderAdmin
from .saved import AIModelAdmin

__all__ = ["AIModelAdmin", "CatalogEntryAdmin", "ProviderAdmin"]
