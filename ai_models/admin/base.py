"""The theme: Unfold's ModelAdmin and widgets when django-unfold is installed, Django's otherwise.

This is the only place that looks at the theme. Everything else subclasses ``ModelAdmin``
and uses these widgets, so the admin behaves the same under both themes; theme-specific
markup goes in template overrides.
"""

from django import forms
from django.apps import apps
from django.contrib import admin

if apps.is_installed("unfold"):
    from unfold.admin import ModelAdmin as ThemeModelAdmin
    from unfold.widgets import UnfoldAdminPasswordWidget as PasswordInput
    from unfold.widgets import UnfoldAdminSelectWidget as Select
    from unfold.widgets import UnfoldAdminTextareaWidget as Textarea
    from unfold.widgets import UnfoldAdminURLInputWidget as URLInput
    from unfold.widgets import UnfoldBooleanWidget as CheckboxInput
else:
    from django.contrib.admin.widgets import AdminURLFieldWidget as URLInput

    ThemeModelAdmin = admin.ModelAdmin
    PasswordInput = forms.PasswordInput
    Select = forms.Select
    Textarea = forms.Textarea
    CheckboxInput = forms.CheckboxInput

__all__ = ["CheckboxInput", "ModelAdmin", "PasswordInput", "Select", "Textarea", "URLInput"]


class ModelAdmin(ThemeModelAdmin):
    """Base of the app's admins: the theme's ModelAdmin plus the app's stylesheet."""

    class Media:
        css = {"all": ["ai_models/admin.css"]}
