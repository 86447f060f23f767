import pytest

from consortium.tests.factories import CooperationAreaFactory


@pytest.fixture
def area(db):
    """A cooperation area whose libraries get parts of their own (the factory's: Louna)."""
    return CooperationAreaFactory()
