"""Who may see and change Louna's shared e-materials. Views ask here before they call a
service or a selector (services do not check the actor).

- The Louna coordinator (and consortium staff) select, order and catalogue: they change
  everything.
- A director of a Louna library sees the principles, the budgets, the orders and the
  cataloguing queue, and their own municipality's euros stand out on the overview.
- Nobody else sees the e-materials pages.
"""

from louna.permissions import can_manage as louna_can_manage
from louna.permissions import can_view as louna_can_view
from louna.permissions import director_municipality_ids

__all__ = ("can_manage", "can_view", "own_municipality_ids")


def can_manage(user) -> bool:
    return louna_can_manage(user)


def can_view(user) -> bool:
    return louna_can_view(user)


def own_municipality_ids(user) -> frozenset:
    """The municipalities whose share the person answers for (a director's own)."""
    return director_municipality_ids(user)
