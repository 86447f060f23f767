"""Hypothesis strategies for hostile input, shared by the apps' hostile-input tests."""

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings, strategies as st

__all__ = ("FORMULAS", "HOSTILE_TEXT", "FUZZ", "fails_cleanly_or_saves", "PAYLOADS", "assert_shown_as_text")

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-1+1", "=HYPERLINK(\"http://x\")",
            "\t=1", "\r=1"]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(FORMULAS + ["\x00", "\x00\x01\x1f\x7f", "<script>alert(1)</script>", "’\u202e\ufeff", " "]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=140, max_size=5000),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def fails_cleanly_or_saves(call):
    """Run a service in a savepoint, as a view would see it: a ValidationError or a result."""
    try:
        with transaction.atomic():
            return call(), None
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return None, error


# Script and event-handler payloads for text fields that pages show again.
PAYLOADS = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    '<svg/onload=alert(1)>',
    "javascript:alert(1)//",
]


def assert_shown_as_text(client, urls) -> None:
    """Each page shows the payloads as text: no new element, no new attribute."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<svg/onload" not in html, url
        assert "onmouseover='alert" not in html and "onerror=alert(1)>" not in html, url
        assert 'href="javascript:' not in html, url
