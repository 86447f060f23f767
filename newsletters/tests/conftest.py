"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the sending tests."""

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@pytest.fixture
def smtp_server():
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
