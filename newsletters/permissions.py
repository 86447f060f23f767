"""Who may do what with the newsletter. Reading the archive and subscribing are public;
writing, reviewing, approving and the subscriber list belong to consortium staff."""

from consortium.permissions import roles_of

__all__ = ("can_manage_newsletters", "offered_own_subscription")


def can_manage_newsletters(user) -> bool:
    return roles_of(user).staff


def offered_own_subscription(user) -> bool:
    """Whether the portal offers the person their own subscription page in the menu and on
    the front page: everyone with a role but staff (who manage the newsletter instead).
    Any logged-in person may still open the page."""
    roles = roles_of(user)
    return roles.any and not roles.staff
