"""What the in-process page benchmarks share: a throw-away test database with Django set up
as in production for rendering, and the timing of one page.

The scripts that use it (bench/louna_board.py, bench/louna_events.py) run with
DJANGO_SETTINGS_MODULE=config.settings.test: SQLite in memory, or PostgreSQL when
DATABASE_URL is set.
"""

import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


@contextlib.contextmanager
def throwaway_database():
    """Set Django up, create a test database for the run and drop it afterwards, whatever
    happens in between. Yields the connection."""
    import django

    django.setup()
    from django.db import connection
    from django.template import Template
    from django.test.utils import _TestState, setup_test_environment

    setup_test_environment()
    # The test environment wraps every template render in a signal for the test client;
    # production does not, so undo it or the timings include work no user waits for.
    Template._render = _TestState.saved_data.template_render
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def time_page(client, url, *, repeat: int, before_each=None) -> dict:
    """GET the page once to warm up, then `repeat` times; the status must be 200 each time.
    Returns median and max in milliseconds, the queries of the last request and its size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    timings = []
    for _ in range(repeat):
        if before_each:
            before_each()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"queries": len(queries), "bytes": len(response.content),
            "median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1)}
