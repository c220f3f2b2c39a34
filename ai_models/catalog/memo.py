"""What each process remembers of the catalog between requests, bounded.

``DECODED``: cache prefix of a provider -> its list as decoded here (the latest token seen).
``LISTINGS``: choice of providers -> (their tokens, the ``Entries`` built from them).
Both drop their oldest item past ``MAX_MEMO``; the cache itself is never touched here.
"""

from ..memos import remember

MAX_MEMO = 32  # derived views / decoded lists remembered per listing / process

DECODED: dict = {}
LISTINGS: dict = {}


def bounded_set(memo: dict, key, value):
    """``memo[key] = value``, dropping the oldest items past ``MAX_MEMO``; returns ``value``."""
    memo[key] = value
    while len(memo) > MAX_MEMO:
        memo.pop(next(iter(memo)), None)
    return value


@remember
def clear_memo():
    """Forget this process's decoded catalogs (tests; the cache stays)."""
    DECODED.clear()
    LISTINGS.clear()
