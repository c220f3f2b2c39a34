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
        from .models import AIModel, Provider

        for model in (AIModel, Provider):
            post_save.connect(models_changed, sender=model, dispatch_uid=f"ai_models_save_{model.__name__}")
            post_delete.connect(models_changed, sender=model, dispatch_uid=f"ai_models_delete_{model.__name__}")
        # Settings change in tests only; every memo may depend on one (AI_MODELS, CACHES, formats).
        setting_changed.connect(forget_all, dispatch_uid="ai_models_settings_changed")
