"""The theme: Unfold's ModelAdmin and widgets when django-unfold is installed, Django's otherwise.

This is the only place that looks at the theme. Everything else subclasses ``ModelAdmin``
and uses these widgets, so the admin behaves the same under both themes; theme-specific
markup goes in template overrides.
"""

import django
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from .. import sharedcache
from ..conf import ai_settings
from ..visible import visible
from .display import EMPTY, isolate

if apps.is_installed("unfold"):
    from unfold.admin import ModelAdmin as ThemeModelAdmin
    from unfold.widgets import UnfoldAdminDecimalFieldWidget as NumberInput
    from unfold.widgets import UnfoldAdminPasswordWidget as PasswordInput
    from unfold.widgets import UnfoldAdminSelectWidget as Select
    from unfold.widgets import UnfoldAdminTextareaWidget as Textarea
    from unfold.widgets import UnfoldAdminTextInputWidget as TextInput
    from unfold.widgets import UnfoldAdminURLInputWidget as URLInput
    from unfold.widgets import UnfoldBooleanWidget as CheckboxInput
else:
    from django.contrib.admin.widgets import AdminURLFieldWidget as URLInput

    ThemeModelAdmin = admin.ModelAdmin
    NumberInput = forms.NumberInput
    PasswordInput = forms.PasswordInput
    Select = forms.Select
    Textarea = forms.Textarea
    TextInput = forms.TextInput
    CheckboxInput = forms.CheckboxInput

__all__ = ["CheckboxInput", "ModelAdmin", "NumberInput", "PasswordInput", "Select", "TextInput", "Textarea", "URLInput"]

# Each search word is one more OR-ed LIKE per search field: thousands of them exceed what
# SQLite takes in one query (a 500) and cost any database dearly.
MAX_SEARCH_WORDS = 10
MAX_SEARCH_CHARS = 200


# Texts of Unfold's and Django's own templates and widgets, which they ship without a Persian
# translation (our catalogue carries them: an app's translations fill in what Django's lack), and the
# field labels Django's history names in the language of the change ("… و Fallback position تغییر
# یافتند"): it translates them when shown.
THEME_TEXTS = (gettext_noop("Run"), gettext_noop("Type to search"), gettext_noop("- Select an option -"),
               gettext_noop("Model name"), gettext_noop("Search %(name)s"), gettext_noop("Pagination %(name)s"),
               gettext_noop("Pagination %(name)s entries"))
HISTORY_FIELD_LABELS = (gettext_noop("Fallback position"), gettext_noop("Call parameters"), gettext_noop("Name"))


class ModelAdmin(ThemeModelAdmin):
    """Base of the app's admins: the theme's ModelAdmin, the app's stylesheet, bounded searches."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, self.bounded_search(request, search_term))

    def message_user(self, request, message, *args, **kwargs):
        """Django's, with provider text in the message shown as it is (see ``ai_models.visible``) and, in
        a plain-text message, ids, dates and prices isolated left to right (``display.isolate``)."""
        shown = visible(message)  # adds "[U+…]" only: markup stays markup, text stays text
        super().message_user(request, mark_safe(shown) if isinstance(message, SafeData) else isolate(shown),
                             *args, **kwargs)

    def bounded_search(self, request, search_term: str) -> str:
        """The first ``MAX_SEARCH_WORDS`` words of ``search_term`` (at most ``MAX_SEARCH_CHARS``
        characters), with a warning to the user when anything was left out."""
        words = search_term.split()
        bounded = " ".join(words[:MAX_SEARCH_WORDS])[:MAX_SEARCH_CHARS]
        if bounded != " ".join(words):
            self.message_user(
                request,
                gettext("Only the first %(words)d words (at most %(chars)d characters) of the search were used.")
                % {"words": MAX_SEARCH_WORDS, "chars": MAX_SEARCH_CHARS},
                messages.WARNING,
            )
        return bounded if bounded != " ".join(words) else search_term

    def warn_if_cache_unavailable(self, request):
        """Tell the user the shared cache is failing (the catalog then degrades, see ``sharedcache``)."""
        if sharedcache.is_unavailable():
            self.message_user(
                request,
                gettext(
                    "The shared cache (AI_MODELS['CACHE'] = %(alias)r) is unavailable: provider catalogs are fetched "
                    "live and not kept; activations still reach the other processes, through the database, within "
                    "a second. Details are in the server log."
                )
                % {"alias": ai_settings.CACHE},
                messages.WARNING,
            )

    empty_value_display = EMPTY  # the same dash as the app's own empty cells

    def changelist_view(self, request, extra_context=None):
        """Django's, titled with the page's name ("Saved models"), not "Select saved model to change"."""
        context = {"title": capfirst(self.opts.verbose_name_plural), **(extra_context or {})}
        return super().changelist_view(request, context)

    class Media:
        css = {"all": ["ai_models/admin.css"]}

    def response_action(self, request, queryset, **kwargs):
        """Django's, after checking the selected keys: a forged one ("abc") was a server error."""
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                self.opts.pk.to_python(value)
        except ValidationError:
            self.message_user(request, gettext("The selection is not valid: select the rows again."), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, **kwargs)

    def own_page(self, request, template, title, **context):
        """A page of the app's own in place of a changelist (Usage, Rollouts; see ``page.html``)."""
        return self._render_page(request, template, title, opts=self.opts, **context)

    def confirmation_page(self, request, template, title, **context):
        """An intermediate page of an action (see ``confirm.html``), posting back to the changelist.

        ``model_admin`` without ``opts`` in the context: Unfold then shows the title in its header
        after the changelist's name, as the last part of the trail.
        """
        return self._render_page(
            request,
            template,
            title,
            # An action run from a model's page goes back there (see AIModelAdmin.object_action_view).
            back_url=getattr(request, "aim_back_url", None) or request.get_full_path(),
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            **context,
        )

    def _render_page(self, request, template, title, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request),
            "title": title,
            "model_admin": self,
            "page_opts": self.opts,
            "media": self.media,
            "breadcrumbs_as_list": django.VERSION >= (6, 0),  # as Django's own templates of that version
            **context,
        })


class ReadOnlyAdmin(ModelAdmin):
    """An admin whose rows nobody adds, changes or deletes by hand (a page of its own, or rows that
    change only through ``ai_models.activation``); viewing follows the view permission."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
