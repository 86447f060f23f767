"""Test harness shared by every app (loaded from the root conftest.py as a pytest plugin):
a real Chromium driven by Playwright against the live server, an axe-core check, a real
Celery worker on Redis, and a real SMTP server on loopback.

A top-level package of its own, beside the apps and outside them: the portal's code never
imports it (an import-linter contract in .importlinter keeps it so); tests and the
benchmarks in bench/ do. It needs the dev requirements (pytest, Playwright, aiosmtpd)."""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BASE_DIR = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))


def _missing(reason: str):
    """In CI a missing tool fails the run; on a laptop the test skips with a loud reason."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: rolled-back rows can reuse ids (SQLite), so
    nothing cached about one test's objects may reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _missing(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: `pip install -r requirements-dev.txt`")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous, so Django's async guard is lifted for browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, email: str, password: str) -> None:
    """Log in through the real login form, as a person would."""
    page.goto("/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    # Wait for the page the form leads to, stylesheets included: an axe check run on a
    # half-loaded page reports contrast of unstyled elements.
    with page.expect_navigation(wait_until="load"):
        page.locator("form button[type=submit]").last.click()


def assert_accessible(page, context=None) -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; fail listing every violation."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    violations = results.response["violations"]
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
        pytest.fail("\n".join(lines), pytrace=False)


# ---------------------------------------------------------------- Celery worker


def database_url_for_worker() -> str:
    """The test database as a URL, so a worker process works on the same rows."""
    from django.db import connection

    settings = connection.settings_dict
    if settings["ENGINE"] != "django.db.backends.postgresql":
        _missing("a real Celery worker needs the test database on PostgreSQL (set DATABASE_URL)")
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class WorkerProcess:
    def __init__(self, env: dict, queue: str):
        self.env = env
        self.queue = queue
        self.process = None
        self.extra_args: list[str] = []

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
             "-Q", self.queue, "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
             *self.extra_args],
            cwd=BASE_DIR, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        return self

    def pause_at(self, task_name: str, step: int, marker) -> None:
        """Hold the tracked job `task_name` when it reports step `step` (testsupport/pause.py),
        the first time only: `marker` (a path that must not exist yet) appears when it holds.
        Broker messages of a killed worker come back after a second, so the restarted worker
        runs the job again. Call before start()."""
        self.extra_args = ["--include", "testsupport.pause"]
        self.env.update({"TEST_JOB_PAUSE": f"{task_name}:{step}", "TEST_JOB_PAUSE_FILE": str(marker),
                         "CELERY_VISIBILITY_TIMEOUT": "1"})

    def kill(self):
        """SIGKILL, as a crashed machine would: no clean shutdown, no acknowledgements."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def output(self) -> str:
        if self.process and self.process.poll() is not None and self.process.stdout:
            return self.process.stdout.read().decode(errors="replace")
        return ""


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real `celery worker` process on Redis, on a queue of its own, working on the test
    database. Tasks sent by the test (not eager) reach it; call .kill()/.start() to crash
    and restart it. Extra environment for the worker goes in `celery_worker.env`."""
    from config.celery import app

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        _missing("a real Celery worker needs Redis: set REDIS_URL")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url_for_worker(),
           "REDIS_URL": redis_url, "CELERY_TASK_DEFAULT_QUEUE": queue, "CELERY_TASK_ALWAYS_EAGER": "false", "PYTHONPATH": str(BASE_DIR)}
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = WorkerProcess(env, queue)
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {message}", pytrace=False)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (for a test's own server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def loopback_smtp(handler, settings=None):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 answering with `handler` for the block.
    With `settings` (pytest-django's fixture), Django's mail goes to it over SMTP."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    if settings is not None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield controller
    finally:
        controller.stop()


class SmtpInbox:
    """An aiosmtpd handler for loopback_smtp that records who received a message, and can
    answer as real mail servers do: `refused` gets 550 (no such user) every time,
    `deferred_once` gets 451 (try again later) on its first try, and while `busy` every
    recipient gets 451."""

    def __init__(self, *, refused: str | None = None, deferred_once: str | None = None, busy: bool = False):
        self.refused, self.deferred_once, self.busy = refused, deferred_once, busy
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 No such user"
        if self.busy:
            return "451 4.3.0 Try again later"
        if address == self.deferred_once:
            self.deferred_once = None
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class RecordingHandler:
    """Keeps every accepted message. `delay` seconds pass before each message is accepted
    (a slow server); `refuse` maps an address to an SMTP reply for RCPT TO; `hold_at`
    makes the n-th message wait until `release` is set, so a test can crash the client
    exactly while a message is being handed over (not yet accepted)."""

    def __init__(self):
        self.messages = []
        self.delay = 0.0
        self.refuse: dict[str, str] = {}
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.data_commands = 0
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1  # smtplib greets once per connection
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            number = self.data_commands
        if self.hold_at is not None and number == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        if self.delay:
            await asyncio.sleep(self.delay)
        # Reached only if the client is still connected: aiosmtpd cancels this coroutine
        # when the connection drops, as a real server would not accept a half-delivered message.
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            queue_id = f"Q{len(self.messages):06d}"
        return f"250 2.0.0 Ok: queued as {queue_id}"

    def by_recipient(self) -> dict:
        counts: dict = {}
        for recipients, _message in self.messages:
            for address in recipients:
                counts[address] = counts.get(address, 0) + 1
        return counts


def deliver_outbox(max_batches: int = 50) -> int:
    """Send what waits in the mail outbox now, in this process (what a worker does after
    the commit; a test's transaction never commits). Returns how many were sent."""
    from consortium.outbox import outbox_send_batch

    sent = 0
    for _ in range(max_batches):
        result = outbox_send_batch()
        sent += result.sent
        if not result.more:
            break
    return sent


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts."""
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    handler.url = f"smtp://127.0.0.1:{port}"
    try:
        yield handler
    finally:
        handler.release.set()
        time.sleep(0.05)
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django in this process sends through the aiosmtpd server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server
