#!/usr/bin/env python
"""Load test: the main pages of every role under locust, against gunicorn on PostgreSQL.

1. sets up the server as bench/pages.py does (its own PostgreSQL database, `seed_demo
   --scale 10`, production settings, gunicorn on a free port of 127.0.0.1, Redis cache);
2. (a) USERS people (default 256) with 1–3 s think time browse the mix of bench/locustfile.py
   (staff, coordinator, director, library contact, anonymous archive) for DURATION s:
   target 0 errors and p95 under 150 ms;
3. (b) the same mix with no think time (SATURATE clients), then the bare yardstick page with
   the same generator and clients: the mix's requests/s as a ratio of the bare page's,
   target >= 0.3.
Everything runs on 127.0.0.1 and ends within the given times. The last line is one JSON object.

    .venv/bin/python bench/load.py --redis-url redis://127.0.0.1:6379/7
    .venv/bin/python bench/load.py --users 64 --duration 20 --saturate 8 --saturate-duration 15 --skip-seed
"""

import argparse
import csv
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402  (bench/pages.py: the server set-up)

BASE_DIR = pages.BASE_DIR
LOCUST = Path(sys.executable).with_name("locust")
SESSIONS: dict[str, str] = {}


ROLE_EMAILS = [f"{local}@demo.kirjastoportaali.example" for local in (
    "henkilokunta", "koordinaattori", "johtaja.humppila", "yhteyshenkilo.humppila")]  # bench/locustfile.py


def log_in(port: int, email: str) -> str:
    """Log in through the real form; returns the Cookie header of the session."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    body = response.read().decode()
    jar = pages.cookies_from(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": pages.PASSWORD})
    connection.request("POST", "/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/login/",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = connection.getresponse()
    response.read()
    jar.update(pages.cookies_from(response))
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login of {email} failed: HTTP {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _number(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def run_locust(port: int, users: int, duration: int, think: bool, only_bare: bool, out: Path) -> dict:
    prefix = out / f"{'bare' if only_bare else 'mix'}-{users}-{'think' if think else 'busy'}"
    env = {**os.environ, "LOAD_THINK": "1" if think else "0", "LOAD_ONLY": "bare" if only_bare else "",
           "LOAD_SESSIONS": json.dumps(SESSIONS)}
    subprocess.run([str(LOCUST), "-f", str(BASE_DIR / "bench" / "locustfile.py"), "--headless",
                    "--host", f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(max(1, users // 4)),
                    "-t", f"{duration}s", "--stop-timeout", "10", "--csv", str(prefix), "--only-summary",
                    "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                   cwd=BASE_DIR, env=env, check=True, timeout=duration + 120,
                   stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    return {"requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
            "rps": round(_number(total["Requests/s"]), 1), "p50_ms": _number(total["50%"]),
            "p95_ms": _number(total["95%"]), "p99_ms": _number(total["99%"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", pages.DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "")))
    parser.add_argument("--scale", type=int, default=10)
    # Gunicorn's own advice for sync workers: (2 x cores) + 1, so that a worker waiting on the
    # database or Redis leaves its core to another.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn worker processes")
    parser.add_argument("--users", type=int, default=256)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the think-time run")
    parser.add_argument("--saturate", type=int, default=16, help="clients of the no-think runs")
    parser.add_argument("--saturate-duration", type=int, default=30, help="seconds of each no-think run")
    parser.add_argument("--skip-seed", action="store_true")
    options = parser.parse_args()
    if not options.redis_url:
        sys.exit("The production settings need Redis: pass --redis-url or set BENCH_REDIS_URL or REDIS_URL.")

    static_root = Path(tempfile.mkdtemp(prefix="load-static-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production", "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "load-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": options.database_url, "EMAIL_URL": "dummymail://",
        "STATIC_ROOT": str(static_root), "LOG_LEVEL": "WARNING", "AXES_FAILURE_LIMIT": "100000",
        "BENCH_BARE_PAGE": "1", "PYTHONPATH": str(BASE_DIR), "REDIS_URL": options.redis_url,
    }
    pages.ensure_database(options.database_url, fresh=False)
    pages.manage(env, "migrate", "--noinput")
    if not options.skip_seed:
        seconds = pages.manage(env, "seed_demo", "--scale", str(options.scale), "--quiet")
        pages.log(f"seed_demo --scale {options.scale}: {seconds:.1f} s")
    pages.manage(env, "collectstatic", "--noinput")
    port = pages.free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(options.workers), "--worker-class", "sync", "--keep-alive", "30", "--log-level", "warning",
         "--backlog", "2048"], cwd=BASE_DIR, env=env, start_new_session=True)
    out = Path(tempfile.mkdtemp(prefix="load-"))
    try:
        pages.wait_for_server(port, server)
        SESSIONS.update({email: log_in(port, email) for email in ROLE_EMAILS})
        think = run_locust(port, options.users, options.duration, True, False, out)
        pages.log(f"(a) {options.users} users, 1-3 s think, {options.duration} s: {think}")
        busy = run_locust(port, options.saturate, options.saturate_duration, False, False, out)
        pages.log(f"(b) mix, {options.saturate} clients, no think: {busy}")
        bare = run_locust(port, options.saturate, options.saturate_duration, False, True, out)
        pages.log(f"(b) bare page, {options.saturate} clients, no think: {bare}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    ratio = round(busy["rps"] / bare["rps"], 3) if bare["rps"] else 0.0
    print(json.dumps({
        "errors": think["errors"] + busy["errors"], "p95_ms": think["p95_ms"], "p50_ms": think["p50_ms"],
        "p99_ms": think["p99_ms"], "rps_think": think["rps"], "users": options.users,
        "rps_saturated": busy["rps"], "saturated_p50_ms": busy["p50_ms"], "saturated_p95_ms": busy["p95_ms"],
        "saturated_p99_ms": busy["p99_ms"], "rps_bare": bare["rps"], "ratio": ratio,
        "targets_met": think["errors"] == 0 and busy["errors"] == 0 and think["p95_ms"] < 150 and ratio >= 0.3,
        "gunicorn_workers": options.workers, "scale": options.scale,
    }))


if __name__ == "__main__":
    main()
