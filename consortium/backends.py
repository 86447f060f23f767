"""Authentication: Django's ModelBackend, except that the user read on every request brings
the person's roles along in the same query (see consortium/permissions.py)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .permissions import ROLE_ROWS_ATTRIBUTE, role_rows_annotation


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.annotate(**{ROLE_ROWS_ATTRIBUTE: role_rows_annotation()}).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def throttled_username(request, credentials=None) -> str:
    """The name login throttling (django-axes) counts failures under: the address as login
    reads it (trimmed, any case), so that another spelling of it gets no fresh tries."""
    if credentials:
        username = credentials.get("username", "")
    else:
        username = request.POST.get("username", "") if request is not None else ""
    return str(username or "").strip().lower()
