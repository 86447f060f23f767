import pytest

from .stub import SushiStub


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the source language) outside requests."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def stub():
    server = SushiStub(release="5").start()
    yield server
    server.stop()


@pytest.fixture
def stub51():
    server = SushiStub(release="5.1").start()
    yield server
    server.stop()
