"""The Louna entry in the navigation follows who may open Louna's pages."""

import pytest

from consortium.models import Role
from consortium.registry import nav_for
from consortium.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_louna_navigation_only_for_those_who_may_open_it(client, tampere, director, coordinator):
    """A director of a library outside Louna is not offered a Louna page they cannot open."""
    outsider = user_with_role(Role.DIRECTOR, library=tampere)
    assert "louna:home" not in [entry.url_name for entry in nav_for(outsider)]
    assert "louna:home" in [entry.url_name for entry in nav_for(director)]
    assert "louna:home" in [entry.url_name for entry in nav_for(coordinator)]
    client.force_login(outsider)
    assert 'href="/louna/"' not in client.get("/").content.decode()
