"""Who may do what with the newsletter. Reading the archive and subscribing are public;
writing, reviewing, approving and the subscriber list belong to consortium staff."""

from consortium.permissions import roles_of

__all__ = ("can_manage_newsletters",)


def can_manage_newsletters(user) -> bool:
    return roles_of(user).staff
