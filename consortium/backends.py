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
