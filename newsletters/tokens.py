"""Signed tokens: the confirmation link of a new subscription (valid a week) and the
subscription link in every newsletter (leave or change language; no expiry, since a
newsletter read a year later must still let its reader leave)."""

import hashlib

from django.core import signing

from .models import Subscriber

__all__ = ("confirm_token", "subscription_token", "subscriber_from_confirm_token",
           "subscriber_from_subscription_token", "InvalidToken", "CONFIRM_MAX_AGE")

CONFIRM_SALT = "newsletters.confirm"
SUBSCRIPTION_SALT = "newsletters.subscription"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


class InvalidToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:12]


def _payload(subscriber: Subscriber) -> str:
    # A fingerprint of the address is signed with the id: a token works only for the address
    # it was made for (an erased-and-reused id never unsubscribes someone else), and the
    # address itself never appears in a link.
    return f"{subscriber.pk}.{_fingerprint(subscriber.email)}"


def confirm_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(_payload(subscriber))


def subscription_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=SUBSCRIPTION_SALT).sign(_payload(subscriber))


def _subscriber(value: str) -> Subscriber:
    pk, _sep, fingerprint = value.partition(".")
    try:
        subscriber = Subscriber.objects.get(pk=int(pk))
    except (Subscriber.DoesNotExist, ValueError) as exc:
        raise InvalidToken() from exc
    if _fingerprint(subscriber.email) != fingerprint:
        raise InvalidToken()
    return subscriber


def subscriber_from_confirm_token(token: str) -> Subscriber:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except signing.BadSignature as exc:
        raise InvalidToken() from exc
    return _subscriber(value)


def subscriber_from_subscription_token(token: str) -> Subscriber:
    try:
        value = signing.Signer(salt=SUBSCRIPTION_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise InvalidToken() from exc
    return _subscriber(value)
