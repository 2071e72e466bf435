"""A real SMTP server on 127.0.0.1 for the tests and the benchmark (aiosmtpd), with a ledger.

Every accepted message is recorded (envelope sender, recipient, Message-ID, bytes); answers
can be scripted per recipient: `server.answers["x@example.org"] = "451 4.7.1 try later"` makes
RCPT answer that (`once` answers are used up after one use).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipient: str
    data: bytes
    at: float = field(default_factory=time.time)  # when the server accepted it
    peer: tuple | None = None  # the client connection (address, port) it came on

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
                    Received(envelope.mail_from, rcpt.lower(), envelope.original_content,
                             peer=session.peer))
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


def main() -> None:
    """`python -m masthead.newsletters.tests.smtpserver PORT OUT.json`: a counting server for
    the benchmark, in its own process (so it takes no CPU time from the measured senders'
    interpreter); writes {"messages", "recipients", "duplicates"} to OUT.json on SIGTERM."""
    import json
    import signal
    import sys

    port, out = int(sys.argv[1]), sys.argv[2]
    seen: set[bytes] = set()
    stats = {"messages": 0, "duplicates": 0}

    class Counting(_Handler):
        async def handle_DATA(self, server, session, envelope):
            head = envelope.original_content[:4096]
            start = head.lower().find(b"\nmessage-id:")
            key = head[start:head.find(b"\n", start + 1)] if start >= 0 else b""
            stats["messages"] += 1
            if key in seen:
                stats["duplicates"] += 1
            seen.add(key)
            return "250 OK"

    server = SmtpServer(port)
    server.controller.handler = Counting(server)
    server.start()
    done = {"flag": False}

    def stop(*_):
        done["flag"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not done["flag"]:
        signal.pause()
    server.stop()
    with open(out, "w") as fh:
        json.dump(stats | {"recipients": len(seen)}, fh)


if __name__ == "__main__":
    main()
