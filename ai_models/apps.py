from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AIModelsConfig(AppConfig):
    name = "ai_models"
    verbose_name = _("AI models")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import setting_changed
        from django.db.models.signals import post_delete, post_save

        from . import checks  # noqa: F401  (registers the system checks)
        from .api import checks as api_checks  # noqa: F401  (the API's, importing DRF only when throttled)
        from .active import models_changed
        from .facts import checks as facts_checks  # noqa: F401  (and those of the model facts)
        from .memos import forget_all
        from .models import AIModel, Budget, Provider
        from .usage import budgets

        for model in (AIModel, Provider):
            post_save.connect(models_changed, sender=model, dispatch_uid=f"ai_models_save_{model.__name__}")
            post_delete.connect(models_changed, sender=model, dispatch_uid=f"ai_models_delete_{model.__name__}")
        # A budget changed here is checked at once; in other processes within BUDGET_RECHECK.
        post_save.connect(budgets.budget_changed, sender=Budget, dispatch_uid="ai_models_save_Budget")
        post_delete.connect(budgets.budget_changed, sender=Budget, dispatch_uid="ai_models_delete_Budget")
        # Settings change in tests only; every memo may depend on one (AI_MODELS, CACHES, formats).
        setting_changed.connect(forget_all, dispatch_uid="ai_models_settings_changed")
