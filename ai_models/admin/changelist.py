"""A changelist over rows held in memory instead of a database table.

Django's ``changelist_view``, its templates and Unfold's all run unchanged: only the
ChangeList's queryset work is redone in Python, on a row list that answers the few
queryset questions the changelist and the admin actions ask (see ``CatalogRows``).
"""

from functools import cache

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ORDER_VAR


class InMemoryChangeListMixin:
    """ChangeList mixin: filters, search, ordering and pagination of an in-memory row list.

    The admin's ``get_queryset`` returns the row list. It must offer ``ordered_by(fields)``
    and whatever the admin's list filters and ``get_search_results`` call on it; Django's
    paginator then needs only ``count()`` and slicing. Only ``SimpleListFilter`` filters
    work, and facets must be off: both would query a table.
    """

    def get_queryset(self, request, exclude_parameters=None):
        """The filtered, searched and ordered rows; ``IncorrectLookupParameters`` for a stray lookup."""
        (
            self.filter_specs,
            self.has_filters,
            remaining_lookups,
            _duplicates,
            self.has_active_filters,
        ) = self.get_filters(request)
        if remaining_lookups:
            # Django would turn these into ORM lookups; here nothing can answer them.
            raise IncorrectLookupParameters(f"Unknown filters: {', '.join(remaining_lookups)}")
        rows = self.root_queryset
        for spec in self.filter_specs:
            if exclude_parameters is None or spec.expected_parameters() != exclude_parameters:
                filtered = spec.queryset(request, rows)
                if filtered is not None:
                    rows = filtered
        rows, _duplicates = self.model_admin.get_search_results(request, rows, self.query)
        self.clear_all_filters_qs = self.get_query_string(remove=self.get_filters_params())
        return rows.ordered_by(self.get_ordering(request, rows))

    def get_ordering(self, request, queryset):
        """Field names to sort by, ``-`` for descending: from the query string, else the admin's default.

        Invalid ``o`` parts (not a number, no such column, a column that cannot sort) are skipped.
        """
        if not self.params.get(ORDER_VAR):
            return list(self.model_admin.get_ordering(request) or self._get_default_ordering())
        ordering = []
        for part in self.params[ORDER_VAR].split("."):
            _none, prefix, index = part.rpartition("-")
            try:
                field = self.get_ordering_field(self.list_display[int(index)])
            except (IndexError, ValueError):
                continue
            if isinstance(field, str):
                # A "-" on the column reverses the field's own direction, as in Django.
                ordering.append(field[1:] if prefix and field.startswith("-") else prefix + field)
        return ordering


@cache
def in_memory(changelist_class):
    """``changelist_class`` (Django's or Unfold's ChangeList) with ``InMemoryChangeListMixin`` in front."""
    return type(f"InMemory{changelist_class.__name__}", (InMemoryChangeListMixin, changelist_class), {})
