"""A PostgreSQL restart under traffic costs only the requests that meet the database while
it is down: gunicorn with the production settings keeps connections between requests, and
the health check drops the dead ones, so every request after the restart succeeds.

The test owns its database server: a cluster of its own (pg_createcluster), restarted with
pg_ctlcluster and dropped at the end. The shared server on 5432 is never touched."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from testsupport import _missing, free_port

pytestmark = [pytest.mark.cluster]

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENTS = 4


def run(*command, env=None):
    subprocess.run(command, check=True, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture
def own_cluster():
    if os.geteuid() != 0 or not shutil.which("pg_createcluster") or not Path("/etc/postgresql").is_dir():
        _missing("a cluster of the test's own needs root and Debian's postgresql-common (pg_createcluster)")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    name, port = f"portaltest{os.getpid()}", free_port()
    run("pg_createcluster", version, name, "-p", str(port), "--", "--auth=trust")
    try:
        run("pg_ctlcluster", version, name, "start")
        run("psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE portal")
        yield {"version": version, "name": name, "url": f"postgres://postgres@127.0.0.1:{port}/portal"}
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_a_postgresql_restart_costs_only_the_requests_that_meet_it_down(own_cluster, tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        _missing("the production settings need Redis: set REDIS_URL")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PORTAL_TEST_NOW")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "restart-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": own_cluster["url"], "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}", "STATIC_ROOT": str(tmp_path / "static"),
        "PYTHONPATH": str(BASE_DIR),
    }
    run(sys.executable, "manage.py", "migrate", "--noinput", env=env)
    run(sys.executable, "manage.py", "collectstatic", "--noinput", env=env)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "critical"], cwd=BASE_DIR, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    page = f"http://127.0.0.1:{port}/newsletters/archive/"  # public, and reads the database
    results: list[tuple[float, int]] = []

    def traffic(seconds: float, during=None) -> None:
        stop = threading.Event()

        def client():
            while not stop.is_set():
                started = time.monotonic()
                results.append((started, get(page)))

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        if during:
            during()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)

    def restart():
        run("pg_ctlcluster", own_cluster["version"], own_cluster["name"], "restart", "--", "-m", "fast")

    try:
        deadline = time.monotonic() + 30
        while get(page) != 200:
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.2)
        # 1. A restart while nobody is asking: each worker holds a connection that died.
        traffic(2)
        restart()
        results.clear()
        traffic(2)
        assert len(results) > 10 and {status for _, status in results} == {200}, \
            "a kept connection that died failed the next request (the health check should drop it)"
        # 2. A restart under traffic.
        results.clear()
        moments = {}

        def restart_after_a_while():
            time.sleep(2)
            moments["down"] = time.monotonic()
            restart()
            moments["up"] = time.monotonic()

        traffic(3, during=restart_after_a_while)
        down_from, up_at = moments["down"], moments["up"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    before = [status for started, status in results if started < down_from]
    after = [status for started, status in results if started > up_at]
    during = [status for started, status in results if down_from <= started <= up_at]
    assert before and set(before) == {200}
    # Every request that started once the server was back succeeded: no worker kept a dead
    # connection to fail its next request with.
    assert len(after) > 20 and set(after) == {200}, sorted(set(after))
    # Only what met the database while it was down failed, and those failed cleanly.
    assert set(during) <= {200, 500}
