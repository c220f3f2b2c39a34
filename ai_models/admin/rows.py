"""The Browse catalog rows: the cached catalog standing in for a queryset, never stored."""

from ..catalog import filter_entries, sort_entries
from ..models import CatalogEntry
from ..visible import visible

# CatalogEntry field (or admin_order_field) -> sort_entries key.
SORT_KEYS = {
    "name": "name",
    "provider": "provider",
    "model_id": "model_id",
    "context_window": "context",
    "input_price": "input_price",
    "output_price": "output_price",
    "created": "created",
}


class CatalogRows:
    """Catalog entries standing in for a queryset of unsaved ``CatalogEntry`` instances.

    Answers only what the changelist and the admin actions ask: ``narrow`` (the catalog's
    filters and search), ``ordered_by``, ``filter(pk__in=...)``, ``none``, ``count``, ``len``,
    iteration and slicing. Model instances are built only for the rows read (one page), each
    carrying its ``CatalogModel`` as ``.entry`` and its saved/active state as ``.state``.
    """

    ordered = True  # the paginator's "unordered object list" warning does not apply

    def __init__(self, entries, states):
        self.entries = entries  # kept as given: the catalog's own list type makes filter and sort cheap
        self.states = states

    def _derive(self, entries):
        return type(self)(entries, self.states)

    def __len__(self):
        return len(self.entries)

    def count(self):
        return len(self.entries)

    def __iter__(self):
        return map(self._row, self.entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(entry) for entry in self.entries[index]]
        return self._row(self.entries[index])

    def _clone(self):
        return self._derive(self.entries)

    def none(self):
        return self._derive([])

    def filter(self, *, pk__in):
        wanted = {str(pk) for pk in pk__in}
        return self._derive([entry for entry in self.entries if entry.pk in wanted])

    def narrow(self, **criteria):
        """Rows matching ``catalog.filter_entries`` criteria (provider, capability, search, price, state)."""
        return self._derive(filter_entries(self.entries, states=self.states, **criteria))

    def ordered_by(self, fields):
        """Rows sorted by CatalogEntry field names, ``-`` for descending; the first field sorts last."""
        entries = self.entries
        for field in reversed(fields):
            key = SORT_KEYS.get(field.removeprefix("-"))
            if key:
                entries = sort_entries(entries, key, descending=field.startswith("-"))
        return self._derive(entries)

    def _row(self, entry):
        # Positional, in field order: Model.__init__ is markedly cheaper than with keywords. The row
        # is what the page shows (actions select by pk): provider text as it is, hidden characters shown.
        row = CatalogEntry(
            entry.pk,
            entry.provider,
            visible(entry.model_id),
            visible(entry.name or entry.model_id),
            visible(entry.description),
            entry.context_window,
            entry.input_price,
            entry.output_price,
            entry.created,
        )
        row.entry = entry
        row.state = self.states.get(entry.pk)
        return row
