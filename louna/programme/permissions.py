"""Who takes part in the action programme, built on Louna's own rules.

- The Louna coordinator runs the programme: drafts, opens the review, answers, publishes
  versions, finalises, delivers, follows and reports.
- Directors of Louna libraries read, comment, propose changes and state their own
  library's position; they follow items and read their own library's copies and reports.
- Consortium staff may read the programme, but do not take part in the review.
- Nobody else sees it.
"""

from consortium.models import Library
from consortium.permissions import LOUNA_AREA, roles_of

from ..permissions import director_library_ids

__all__ = ("can_view_programme", "can_coordinate", "can_take_part", "louna_libraries", "position_libraries")


def can_coordinate(user) -> bool:
    return roles_of(user).coordinator


def can_take_part(user) -> bool:
    return can_coordinate(user) or bool(director_library_ids(user))


def can_view_programme(user) -> bool:
    return can_take_part(user) or roles_of(user).staff


def position_libraries(user) -> frozenset:
    """The libraries whose position this person may state: those they direct in Louna."""
    return director_library_ids(user)


def louna_libraries():
    """The libraries that answer the review and receive the programme."""
    return Library.objects.in_area(LOUNA_AREA).filter(is_active=True).select_related("municipality").order_by("name")
