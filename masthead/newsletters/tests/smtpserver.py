"""A real SMTP server on 127.0.0.1 for the tests and the benchmark (aiosmtpd), with a ledger.

Every accepted message is recorded (envelope sender, recipient, Message-ID, bytes); answers
can be scripted per recipient: `server.answers["x@example.org"] = "451 4.7.1 try later"` makes
RCPT answer that (`once` answers are used up after one use).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipient: str
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Ledger:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def by_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.received:
            counts[r.recipient] = counts.get(r.recipient, 0) + 1
        return counts


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.server.answers.get(address.lower())
        if answer is None:
            answer = self.server.once.pop(address.lower(), None)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.slow:
            import asyncio
            await asyncio.sleep(self.server.slow)
        with self.server.ledger.lock:
            for rcpt in envelope.rcpt_tos:
                self.server.ledger.received.append(
                    Received(envelope.mail_from, rcpt.lower(), envelope.original_content))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int = 0):
        self.ledger = Ledger()
        self.answers: dict[str, str] = {}
        self.once: dict[str, str] = {}
        self.slow = 0.0
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port or
                                     _free_port(), data_size_limit=10_000_000)

    @property
    def port(self) -> int:
        return self.controller.port

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
