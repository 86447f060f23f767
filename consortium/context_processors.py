from .permissions import roles_of
from .registry import nav_for


def portal(request):
    """The frame's needs: the person's roles and the navigation they may use."""
    user = getattr(request, "user", None)
    roles = roles_of(user)
    return {"roles": roles, "nav_entries": nav_for(roles)}
