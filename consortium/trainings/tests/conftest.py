import pytest

from consortium.models import OutboxMessage


@pytest.fixture
def outbox():
    """The queued messages, newest last: what people are told."""

    def messages(kind=None):
        qs = OutboxMessage.objects.order_by("pk")
        return list(qs.filter(kind=kind) if kind else qs)

    return messages
