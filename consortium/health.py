"""What /healthz reports: the database, the cache and the broker, each on its own.

Only the database is vital: without it nothing works, so the endpoint answers 503. Redis is a
helper (docs/operations.md): with the cache down pages are rendered afresh, with the broker
down background work waits in the database; both are reported, the answer stays 200, so a
load balancer keeps sending people to a host that can serve them."""

import time

from django.core.cache import cache
from django.db import connection

__all__ = ("health_report",)


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 - whatever fails, the report says what and goes on
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300],
                "ms": round((time.monotonic() - started) * 1000, 1)}
    return {"ok": True, **(detail or {}), "ms": round((time.monotonic() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):
        # The raw Redis client: the cache itself would answer a miss when Redis is down.
        client.get_client(write=True).ping()
        return {"backend": "redis"}
    cache.set("healthz", 1, 5)
    return {"backend": type(cache).__name__}


def _broker():
    from celery import current_app

    if current_app.conf.task_always_eager:
        return {"mode": "eager"}  # tasks run in the web process: no broker to ask
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=2)
    return {"mode": "broker"}


def health_report() -> tuple[bool, dict]:
    """(healthy, report): healthy is False only when the database fails."""
    report = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    return report["database"]["ok"], report
