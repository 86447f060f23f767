"""The SUSHI credentials at rest: Fernet (AES-128-CBC with an HMAC) under a key that lives
in the environment (SUSHI_SECRET_KEY), never in the database, so a copy of the database or a
dump of the tables holds only ciphertext."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ("encrypt", "decrypt", "CredentialsUnreadable")


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be opened with the key in use (the key was changed)."""


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("SUSHI_SECRET_KEY is not a Fernet key (32 url-safe base64 bytes)") from error


def _current() -> Fernet:
    key = getattr(settings, "SUSHI_SECRET_KEY", "")
    if not key:
        raise ImproperlyConfigured("SUSHI_SECRET_KEY is not set: SUSHI credentials cannot be stored")
    return _fernet(key)


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise CredentialsUnreadable from error
