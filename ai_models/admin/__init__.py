"""Admin registrations (Browse catalog, Saved models, Providers)."""
