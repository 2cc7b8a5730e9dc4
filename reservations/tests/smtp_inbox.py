"""A real SMTP server for the tests that read e-mails back (aiosmtpd), on a port of its own."""

import email
import socket
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: every message the server accepted."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """The settings' SMTP server, on a port of its own; started by `start()`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    inbox.start = controller.start
    yield inbox
    if controller._thread is not None:
        controller.stop()
