"""Indexed, memoized views of one listing: what makes filtering and sorting 10,000 models cheap.

A listing's ``Entries`` share one ``Source``: a search index, the positions matching each
filter value and the order of each sort key, built on first use. Each filter or sort of a view
is remembered (bounded) under the path that made it, so paging a large catalog does not redo
the work.
"""

import re
import threading
from array import array
from bisect import bisect_right
from collections import defaultdict
from itertools import accumulate

from . import memo
from .criteria import SORT_KEYS, active_criteria, criterion, haystack, order_positions, state_test

WORD = re.compile(r"\w+")


class Source:
    """The models of one listing, and what is built on them on first use: the search index,
    the positions matching each filter value, the order and ranks for each sort key."""

    def __init__(self, models):
        self.models = models
        self.views = {}  # derivation path -> Entries: one bounded memo for the whole listing
        self._index = None
        self._pks = None
        self._where = {}
        self._orders = {}
        self._lock = threading.Lock()

    def position_of(self, pk):
        if self._pks is None:
            self._pks = {model.pk: position for position, model in enumerate(self.models)}
        return self._pks.get(pk)

    def where(self, kind, value) -> frozenset:
        positions = self._where.get((kind, value))
        if positions is None:
            test = criterion(kind, value)
            positions = frozenset(p for p, model in enumerate(self.models) if test(model))
            self._where[(kind, value)] = positions
        return positions

    def allowed(self, criteria, words) -> set:
        """Positions matching every criterion and containing every word."""
        keep = None
        for kind, value in criteria:
            keep = self.where(kind, value) if keep is None else keep & self.where(kind, value)
        if words and (keep is None or keep):
            hits = self.search(words)
            keep = hits if keep is None else keep & hits
        return keep

    def search(self, words) -> set:
        """Positions of the models every word occurs in (see ``matches_search``)."""
        with self._lock:
            if self._index is None:
                self._index = _SearchIndex(self.models)
        pieces, to_check = [], []
        for word in words:
            found = WORD.findall(word)
            pieces += found
            if found != [word]:
                to_check.append(word)  # the index finds a superset for words with other characters
        hits = None
        for piece in sorted(set(pieces), key=len, reverse=True):  # longer pieces are usually rarer
            found = self._index.containing(piece)
            hits = found if hits is None else hits & found
            if not hits:
                return set()
        if hits is None:
            hits = set(range(len(self.models)))
        if to_check:
            models = self.models
            hits = {p for p in hits if all(word in haystack(models[p]) for word in to_check)}
        return hits

    def order(self, key, descending):
        """(positions in ``key`` order, position -> rank); equal values share a rank, so sorting by it is stable."""
        found = self._orders.get((key, descending))
        if found is None:
            value = SORT_KEYS[key]
            order = order_positions(self.models, key, descending)
            ranks = array("l", [0]) * len(self.models)
            rank, previous = -1, None
            for position in order:
                current = value(self.models[position])
                if rank < 0 or current != previous:
                    rank, previous = rank + 1, current
                ranks[position] = rank
            found = self._orders[(key, descending)] = (order, ranks)
        return found


class _SearchIndex:
    """Word piece -> positions of the models whose text has a piece containing it.

    The text of each model is cut into its runs of word characters (\\w+). Where a search
    word occurs, each of its own runs lies inside one of the text's, so finding the word's
    runs in the string of all distinct runs gives every model that can match, without
    scanning the models; a word that is one run matches exactly those.
    """

    def __init__(self, models):
        postings, pieces = defaultdict(list), WORD.findall
        for position, model in enumerate(models):
            for piece in set(pieces(haystack(model))):
                postings[piece].append(position)
        self._postings = list(postings.values())
        self._text = "\n".join(postings)
        self._starts = array("l", accumulate((len(piece) + 1 for piece in postings), initial=0))

    def containing(self, piece) -> set:
        hits, text, starts, postings = set(), self._text, self._starts, self._postings
        at = text.find(piece)
        while at != -1:
            found = bisect_right(starts, at) - 1
            hits.update(postings[found])
            at = text.find(piece, starts[found + 1])
        return hits


class Entries(list):
    """A read-only list of catalog models that knows the listing it was cut from.

    ``get_catalog`` returns one per catalog version and process, shared by every request:
    do not change it (it refuses). ``filter_entries`` and ``sort_entries`` on one return
    another, computed with the listing's search index and sort ranks, and remember it.
    """

    __slots__ = ("_source", "_positions", "_ascending", "_path", "_position_set")

    def __init__(self, source, positions=None, ascending=True):
        models = source.models
        list.__init__(self, models if positions is None else map(models.__getitem__, positions))
        self._source = source
        self._positions = positions  # None: the whole listing in order
        self._ascending = ascending  # positions increase (filters keep the listing's order)
        self._path = ()  # the filters and sorts that made it from the listing; None: not remembered
        self._position_set = None

    def _read_only(self, *args, **kwargs):
        raise TypeError("The catalog listing is shared and read-only: copy it with list() to change it.")

    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only

    def __reduce_ex__(self, protocol):
        return (list, (list(self),))  # a copy is a plain list

    @property
    def positions(self):
        return range(len(self)) if self._positions is None else self._positions

    def _set(self) -> set:
        if self._position_set is None:
            self._position_set = set(self._positions)
        return self._position_set

    def has_pk(self, pk) -> bool:
        position = self._source.position_of(pk)
        return position is not None and (self._positions is None or position in self._set())

    def _positions_in(self, keep) -> list:
        """This view's positions that are in ``keep``, in this view's order."""
        if self._positions is None:
            return sorted(keep)
        if self._ascending and len(keep) < len(self):
            return sorted(keep & self._set())
        return [p for p in self._positions if p in keep]

    def _remember(self, key, compute):
        """The view ``key`` derives from this one, from the listing's memo when there."""
        if self._path is None:
            return compute()
        path = self._path + (key,)
        view = self._source.views.get(path)
        if view is None:
            view = compute()
            view._path = path
            memo.bounded_set(self._source.views, path, view)
        return view

    def filtered(self, provider, capability, price, words, state, states, meets=None, hidden=None):
        view, source = self, self._source
        criteria = active_criteria(provider, capability, price, meets, hidden)
        if criteria or words:
            view = self._remember(
                ("filter", criteria, tuple(sorted(words))),
                lambda: Entries(source, self._positions_in(source.allowed(criteria, words)), self._ascending),
            )
        if state:  # states change with every activation: not remembered
            view = view.where(state_test(state, states, capability))
        return view

    def where(self, test):
        """The entries passing ``test``, not remembered (for tests whose answer changes: states, dates)."""
        models = self._source.models
        view = Entries(self._source, [p for p in self.positions if test(models[p])], self._ascending)
        view._path = None  # and neither is anything derived from it
        return view

    def sorted(self, key, descending):
        def compute():
            order, ranks = self._source.order(key, descending)
            if self._positions is None:
                positions = order
            elif self._ascending and 4 * len(self) > len(order):
                # A large view in listing order: walking the full order is cheaper than sorting.
                positions = self._positions_in_order(order)
            else:
                positions = sorted(self._positions, key=ranks.__getitem__)
            return Entries(self._source, positions, False)

        return self._remember(("sort", key, descending), compute)

    def _positions_in_order(self, order):
        keep = self._set()
        return [p for p in order if p in keep]

