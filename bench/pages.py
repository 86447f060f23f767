#!/usr/bin/env python
"""Page benchmark: the front page and the people list against a bare Django page.

What it does, in one run:
1. creates (if missing) and migrates its own PostgreSQL database, and seeds it with
   `seed_demo --scale N` (10: about 300 municipalities, 750 service points, 5,000 people);
2. collects the static files and serves the app with gunicorn on a free port of 127.0.0.1,
   under the production settings (DEBUG off), with BENCH_BARE_PAGE=1 so the bare page
   (config/urls.py) exists for this server only;
3. logs in the demo staff user through the real login form (session cookie);
4. loads the bare page, the front page (as kept in the cache, and rendered afresh as after
   any change) and the people list with a fixed number of
   concurrent clients for a fixed time (wrk when installed, else Python threads), in
   alternating rounds, and prints requests/s, p50 and p99 for each (median round) and their
   throughput ratio to the bare page (median of the rounds' ratios). The last line is one
   JSON object.

Target: the front page keeps at least half the bare page's throughput (ratio >= 0.5).

    .venv/bin/python bench/pages.py                      # defaults: scale 10, 8 clients, 5 rounds of 6 s
    .venv/bin/python bench/pages.py --clients 16 --duration 20 --workers 2
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/pages.py

Public tools only: PostgreSQL, gunicorn (requirements.txt), wrk (Debian: apt-get install wrk)
or the Python standard library.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
STAFF_EMAIL = "henkilokunta@demo.kirjastoportaali.example"  # consortium/demo_data.py
PASSWORD = "demo-salasana-2026"

# The front page is kept in the cache per person until any row changes (consortium/frontpage.py);
# a query string bypasses that copy, so "front_uncached" is what the first visitor after a
# change waits for. The target is set on "front_page", the page as people get it.
PAGES = [("bare", "/__bench__/bare/"), ("front_page", "/"), ("front_uncached", "/?uncached=1"),
         ("people_list", "/people/")]


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- set-up


def ensure_database(database_url: str, fresh: bool) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlparse(database_url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                             user=urllib.parse.unquote(parts.username or "postgres"),
                             password=urllib.parse.unquote(parts.password or "") or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")
    admin.close()


def manage(env: dict, *args: str) -> float:
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def cookies_from(response) -> dict:
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def log_in(port: int) -> str:
    """Log in through the real form; returns the Cookie header of the session."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    body = response.read().decode()
    jar = cookies_from(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": STAFF_EMAIL, "password": PASSWORD})
    connection.request("POST", "/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Referer": f"http://127.0.0.1:{port}/login/",
    })
    response = connection.getresponse()
    response.read()
    jar.update(cookies_from(response))
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login failed: HTTP {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def check_page(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered HTTP {response.status}")
    return len(body)


# ---------------------------------------------------------------- load


def load_with_wrk(port: int, path: str, cookie: str, clients: int, duration: float, threads: int) -> dict:
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{int(duration)}s", "--latency", "--timeout", "30s",
         "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )
    output = result.stdout

    def millis(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = millis(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = millis(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if errors or socket_errors:
        raise SystemExit(f"errors while loading {path}:\n{output}")
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": requests}


def load_with_threads(port: int, path: str, cookie: str, clients: int, duration: float, threads: int) -> dict:
    """The same measurement with the standard library: `clients` keep-alive connections."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    failures = []

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                failures.append(response.status)
                break
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"{path} answered {failures[:3]}")
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "requests": len(latencies)}


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(pct / 100 * len(values)) - 1))
    return values[index]


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--duration", type=float, default=6, help="seconds per page and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each loads every page once, in turn")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "")),
                        help="the cache (and broker) as in production: required, as there")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the seeded database as it is")
    options = parser.parse_args()
    if not options.redis_url:
        sys.exit("The production settings need Redis: pass --redis-url or set BENCH_REDIS_URL or REDIS_URL.")

    tool = options.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    load = load_with_wrk if tool == "wrk" else load_with_threads

    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": options.database_url,
        "EMAIL_URL": "dummymail://",  # required by the production settings; the pages send no mail
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "AXES_FAILURE_LIMIT": "1000",
        "BENCH_BARE_PAGE": "1",
        "PYTHONPATH": str(BASE_DIR),
    }
    env["REDIS_URL"] = options.redis_url

    ensure_database(options.database_url, options.fresh)
    manage(env, "migrate", "--noinput")
    seed_seconds = None
    if not options.skip_seed:
        seed_seconds = manage(env, "seed_demo", "--scale", str(options.scale), "--quiet")
        log(f"seed_demo --scale {options.scale}: {seed_seconds:.1f} s")
    manage(env, "collectstatic", "--noinput")

    port = free_port()
    gunicorn = Path(PYTHON).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(options.workers),
         "--worker-class", "sync", "--keep-alive", "30", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )
    results: dict[str, list[dict]] = {name: [] for name, _ in PAGES}
    try:
        wait_for_server(port, server)
        cookie = log_in(port)
        sizes = {name: check_page(port, path, cookie) for name, path in PAGES}
        log(f"gunicorn on 127.0.0.1:{port}, {options.workers} workers, cache: Redis; "
            f"load by {tool}, {options.clients} clients, "
            f"{options.duration:.0f} s per page, {options.rounds} rounds")
        for name, path in PAGES:  # warm every worker's caches and connections
            load(port, path, cookie, options.clients, 2, min(options.clients, 2))
        for round_number in range(1, options.rounds + 1):
            for name, path in PAGES:
                figures = load(port, path, cookie, options.clients, options.duration, min(options.clients, 2))
                results[name].append(figures)
                log(f"  round {round_number} {name:<15} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.2f} ms"
                    f"  p99 {figures['p99_ms']:7.2f} ms")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(static_root, ignore_errors=True)

    # Each page's figures: the median round (by throughput), so one noisy round on a shared
    # machine neither makes nor breaks the result. The ratio is taken within each round (the
    # pages of one round ran back to back, under the same load from outside) and its median
    # reported.
    summary = {}
    for name, rounds in results.items():
        ordered = sorted(rounds, key=lambda figures: figures["rps"])
        median = ordered[len(ordered) // 2]
        summary[name] = {"rps": round(median["rps"], 1), "p50_ms": round(median["p50_ms"], 2),
                         "p99_ms": round(median["p99_ms"], 2), "bytes": sizes[name],
                         "rps_rounds": [round(figures["rps"], 1) for figures in rounds]}

    def median_ratio(name: str) -> float:
        ratios = sorted(page["rps"] / bare["rps"] for page, bare in zip(results[name], results["bare"]) if bare["rps"])
        return round(statistics.median(ratios), 3) if ratios else 0.0

    ratios = {name: median_ratio(name) for name, _ in PAGES}
    ratio, people_ratio = ratios["front_page"], ratios["people_list"]
    log("")
    log(f"{'page':<15} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'vs bare':>8}")
    for name, figures in summary.items():
        log(f"{name:<15} {figures['rps']:>9.1f} {figures['p50_ms']:>9.2f} {figures['p99_ms']:>9.2f} "
            f"{ratios[name]:>8.2f}")
    verdict = "met" if ratio >= 0.5 else "MISSED"
    log(f"front page / bare page throughput: {ratio:.2f} (target >= 0.50: {verdict})")
    print(json.dumps({
        "benchmark": "pages", "scale": options.scale, "tool": tool, "clients": options.clients,
        "duration_s": options.duration, "rounds": options.rounds, "gunicorn_workers": options.workers,
        "cpus": os.cpu_count(), "redis": bool(options.redis_url), "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
        "pages": summary, "ratio": ratio, "uncached_ratio": ratios["front_uncached"], "people_ratio": people_ratio, "target_met": ratio >= 0.5,
    }))


if __name__ == "__main__":
    main()
