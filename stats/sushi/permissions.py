"""Who manages SUSHI accounts and harvests: the Louna coordinator and consortium staff, as
for the rest of the statistics (stats.permissions.can_manage). Nobody else sees the pages:
the accounts carry vendors' credentials."""

from stats.permissions import can_manage

__all__ = ("can_manage_sushi",)


def can_manage_sushi(user) -> bool:
    return can_manage(user)
