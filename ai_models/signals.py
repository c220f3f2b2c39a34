"""Signals for host code.

``active_model_changed`` is sent once the transaction that changed the active model of a
capability has committed (never for one that rolled back), whatever made the change: the admin,
the command line, the HTTP API, a rollback (re-activation) or a deactivation. Arguments:

- ``capability``: the capability name;
- ``previous``: the ``AIModel`` active before, or None;
- ``current``: the ``AIModel`` active now, or None after a deactivation;
- ``user``: who made the change, or None (a script, the command line without ``--user``);
- ``via``: where it was made: "admin", "command line", "HTTP API", or what a caller of ``selection`` passed.

``sender`` is ``AIModel``. Receivers run in the process that made the change, after the commit;
an exception in one is logged and the others still run.
"""

from django.dispatch import Signal

active_model_changed = Signal()

# Sent once per budget, month and level (across processes sharing the cache), from the process
# whose check first saw it: ``budget``, the ``Budget`` row; ``spent`` and ``limit``, ``Decimal``
# USD; ``level``, "warning" (the warn share is reached) or "limit" (the budget is spent).
budget_reached = Signal()

# Sent once a rollout ended and its transaction committed: ``capability``; ``candidate``, the
# ``AIModel`` tried; ``outcome``, "promoted", "aborted" or "guard" (aborted automatically: its
# error rate exceeded the active model's by ``ROLLOUT_GUARD``'s margin); ``user``; ``via``.
rollout_ended = Signal()
