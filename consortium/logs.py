"""Logging filters: what an operator reads when something goes wrong, one line per event."""

import logging

__all__ = ("CacheUnavailable",)


class CacheUnavailable(logging.Filter):
    """django-redis logs every call it ignores (Redis down) with the whole traceback, as an
    error. The portal treats such a call as a miss and carries on, so it is a warning, and
    one line saying why is enough: the same traceback on every cache call of every request
    would bury everything else in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            cause = exc.__cause__ or exc
            record.msg = "cache unavailable, treated as a miss: %s: %s"
            record.args = (type(cause).__name__, cause)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
