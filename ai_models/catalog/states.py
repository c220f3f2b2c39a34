"""Saved and active states of catalog entries: for which capabilities each is saved or active."""

from collections import defaultdict
from dataclasses import dataclass

from .views import Entries


@dataclass(frozen=True)
class EntryState:
    """For which capabilities a catalog model is saved, and for which it is the active model."""

    saved_for: frozenset = frozenset()
    active_for: frozenset = frozenset()
    saved_ids: tuple = ()  # (capability, saved model's pk) pairs, by capability

    @property
    def ids(self) -> dict:
        """Capability -> the pk of the saved model (``AIModel``) of this entry for it."""
        return dict(self.saved_ids)

    @property
    def saved(self) -> bool:
        return bool(self.saved_for)

    @property
    def active(self) -> bool:
        return bool(self.active_for)


class EntryStates(dict):
    """Catalog pk -> ``EntryState``, holding saved models only; ``states[pk]`` of another is empty."""

    def __missing__(self, pk):
        return NOT_SAVED


NOT_SAVED = EntryState()


def entry_states(entries=None) -> EntryStates:
    """Catalog pk -> ``EntryState`` (saved for, active for), in ONE query whatever the catalog size.

    Only saved models are keys; indexing with any other pk gives an empty state. With
    ``entries``, only their pks are kept.
    """
    from ..models import AIModel

    saved, active, ids = defaultdict(set), defaultdict(set), defaultdict(list)
    for row_pk, slug, model_id, capability, is_active in AIModel.objects.values_list(
        "pk", "provider__slug", "model_id", "capability", "is_active"
    ):
        pk = f"{slug}:{model_id}"
        saved[pk].add(capability)
        ids[pk].append((capability, row_pk))
        if is_active:
            active[pk].add(capability)
    if entries is not None and saved:
        wanted = entries.has_pk if isinstance(entries, Entries) else {entry.pk for entry in entries}.__contains__
        saved = {pk: caps for pk, caps in saved.items() if wanted(pk)}
    return EntryStates(
        (pk, EntryState(frozenset(caps), frozenset(active.get(pk, ())), tuple(sorted(ids[pk]))))
        for pk, caps in saved.items()
    )

