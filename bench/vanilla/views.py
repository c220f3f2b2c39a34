"""The catalog table built two ways, for the old-versus-new benchmark (same rows, same template).

``old_catalog`` marks each row the way the old sync-command system did: two queries per
listed model. ``new_catalog`` reads every mark from ``catalog.entry_states``: one query.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from ai_models.catalog import entry_states, get_catalog
from ai_models.models import AIModel


@staff_member_required
def old_catalog(request):
    rows = []
    for entry in get_catalog().entries:
        saved = AIModel.objects.filter(provider__slug=entry.provider, model_id=entry.model_id)
        rows.append((entry, saved.exists(), saved.filter(is_active=True).exists()))
    return render(request, "vanilla/catalog_table.html", {"rows": rows, "way": "old"})


@staff_member_required
def new_catalog(request):
    entries = get_catalog().entries
    states = entry_states(entries)
    rows = [(entry, bool(states[entry.pk].saved_for), bool(states[entry.pk].active_for)) for entry in entries]
    return render(request, "vanilla/catalog_table.html", {"rows": rows, "way": "new"})
