"""Newsletter sending speed: the portal against plain smtplib.

Sends one issue to N subscribers (default 10,000) through a real Celery worker on Redis to
a local aiosmtpd server, then sends the same N messages with plain smtplib over one
connection, and prints both times and their ratio. Target: portal ≤ 2 × plain.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/newsletter.py [--subscribers 10000]

It works in a throw-away database (test_<name>) that it creates and drops. The last line
printed is one JSON object."""

import argparse
import json
import multiprocessing
import os
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


class CountingHandler:
    """Accepts every message and counts it per recipient (what a fast MTA would do)."""

    def __init__(self):
        self.count = 0
        self.recipients: dict[str, int] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            for address in envelope.rcpt_tos:
                self.recipients[address] = self.recipients.get(address, 0) + 1
        return "250 2.0.0 Ok: queued"

    def reset(self):
        with self.lock:
            self.count = 0
            self.recipients = {}


def send_plain(port, rendered, people) -> None:
    """What a plain script would do: build each message with the standard library and send
    it over one smtplib connection."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for pk, email, language, in_area in people:
            page = rendered[(language, in_area)]
            text, html = page.for_recipient(f"https://portaali.example/newsletters/s/{pk}/")
            message = EmailMessage()
            message["Subject"] = page.subject
            message["From"] = "portaali@kirjastot.example"
            message["To"] = email
            message["Message-ID"] = f"<plain-{pk}@kirjastot.example>"
            message["List-Unsubscribe"] = f"<https://portaali.example/newsletters/s/{pk}/leave/>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            smtp.send_message(message)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the bench runs a real worker.")

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.utils import timezone

    from config.celery import app
    from testsupport import database_url_for_worker
    from consortium.models import CooperationArea
    from newsletters.models import Block, Issue, Subscriber
    from newsletters.rendering import render_issue
    from testsupport import free_port

    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    n = args.subscribers
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = None
    try:
        # ------------------------------------------------------------ data
        now = timezone.now()
        area = CooperationArea.objects.create(slug="bench", name="Bench area")
        subscribers = Subscriber.objects.bulk_create([
            Subscriber(email=f"tilaaja{i}@bench.example", name=f"Tilaaja {i}", status=Subscriber.Status.ACTIVE,
                       consent_method=Subscriber.Method.IMPORT, consent_at=now, language="sv" if i % 10 == 0 else "fi")
            for i in range(n)], batch_size=2000)
        Through = Subscriber.areas.through
        Through.objects.bulk_create([Through(subscriber_id=s.pk, cooperationarea_id=area.pk)
                                     for i, s in enumerate(subscribers) if i % 5 == 0], batch_size=2000)
        issue = Issue.objects.create(month=timezone.localdate().replace(day=1), subject="Uutiskirje (bench)",
                                     subject_sv="Nyhetsbrev (bench)", intro="Tervetuloa **lukemaan**.",
                                     period_start=now, period_end=now, status=Issue.Status.APPROVED, send_at=now)
        Block.objects.bulk_create([
            Block(issue=issue, position=i * 10, title=f"Osa {i}", area=area if i == 3 else None,
                  body="Konsortio tiedottaa: **uusia e-aineistoja** ja [koulutuksia](https://kirjastot.fi).\n\n"
                       "- yksi\n- kaksi\n- kolme\n" * 2)
            for i in range(1, 6)])

        # ------------------------------------------------------------ the portal, through a real worker
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
               "DATABASE_URL": database_url_for_worker(), "CELERY_TASK_DEFAULT_QUEUE": queue,
               "CELERY_TASK_ALWAYS_EAGER": "false", "EMAIL_URL": f"smtp://127.0.0.1:{port}",
               "NEWSLETTER_RATE_LIMIT": "0", "NEWSLETTER_BATCH_SIZE": str(args.batch_size),
               "PYTHONPATH": str(BASE_DIR)}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"{queue}@%h"], cwd=BASE_DIR, env=env)
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5, destination=None):
            if time.monotonic() > deadline:
                sys.exit("the worker did not start")
        from newsletters.tasks import newsletters_dispatch_due

        started = time.monotonic()
        newsletters_dispatch_due.apply_async()
        while Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENT).count() == 0:
            if time.monotonic() - started > 1800:
                sys.exit("the portal did not finish in 30 minutes")
            time.sleep(0.1)
        portal_seconds = time.monotonic() - started
        portal_count = handler.count
        portal_once = all(count == 1 for count in handler.recipients.values()) and len(handler.recipients) == n

        # ------------------------------------------------------------ plain smtplib, one connection
        # In a process of its own, as the worker was, so neither side shares the SMTP
        # server's interpreter lock. The texts are rendered before the clock starts.
        rendered = {(language, in_area): render_issue(issue, language=language,
                                                      areas=frozenset({area.pk}) if in_area else frozenset())
                    for language in ("fi", "sv") for in_area in (False, True)}
        in_area = set(Through.objects.values_list("subscriber_id", flat=True))
        people = [(pk, email, language, pk in in_area) for pk, email, language
                  in Subscriber.objects.values_list("pk", "email", "language").order_by("pk")]
        handler.reset()
        connection.close()
        child = multiprocessing.get_context("fork").Process(target=send_plain, args=(port, rendered, people))
        started = time.monotonic()
        child.start()
        child.join()
        plain_seconds = time.monotonic() - started
        plain_count = handler.count
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        try:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(queue)
        except Exception:  # noqa: BLE001 - cleaning up a queue must not hide the result
            pass
        connection.creation.destroy_test_db(old_name, verbosity=0)
        controller.stop()

    ratio = portal_seconds / plain_seconds if plain_seconds else float("inf")
    print(f"portal (worker, outbox, {n} messages): {portal_seconds:.2f} s, {portal_count} received, "
          f"exactly one each: {portal_once}")
    print(f"plain smtplib (one connection, {n} messages): {plain_seconds:.2f} s, {plain_count} received")
    print(f"ratio portal / plain: {ratio:.2f} (target ≤ 2.0)")
    print(json.dumps({"bench": "newsletter", "subscribers": n, "portal_seconds": round(portal_seconds, 3),
                      "plain_seconds": round(plain_seconds, 3), "ratio": round(ratio, 3),
                      "portal_messages": portal_count, "plain_messages": plain_count,
                      "portal_exactly_once": portal_once, "target_ratio": 2.0, "within_target": ratio <= 2.0}))


if __name__ == "__main__":
    main()
