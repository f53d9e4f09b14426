"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it accepts.

Its behaviour can be switched while it runs: accept, answer 451 (try later),
answer 550 (refused for good), or wait before answering DATA. For the crash
tests it can also be *armed* once: the next DATA (or the next QUIT, that is
after the message was accepted) waits, and an event tells the test that a
client is now held at that point, so the test can kill the client there.

A message counts as delivered when the server answered 250 to its DATA. A
message whose sender vanished while the server was still deciding (the
handler is cancelled on disconnect) is kept apart as ``aborted``: it never
reached the mailbox, but an RFC 1047 server that had already taken it would
have delivered it, so the tests report those too.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server saw it."""

    mail_id: int | None
    envelope_to: list[str]
    to: str
    cc: list[str]
    subject: str
    text: str
    html: str
    message_id: str
    at: float = field(default_factory=time.monotonic)


def _parse(envelope) -> Received:
    message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    cc = [a.strip() for a in str(message.get("Cc") or "").split(",") if a.strip()]
    mail_id = message.get("X-Theodoi-Mail")
    return Received(mail_id=int(mail_id) if mail_id else None, envelope_to=list(envelope.rcpt_tos),
                    to=str(message["To"]), cc=cc, subject=str(message["Subject"]),
                    text=text.get_content() if text else "", html=html.get_content() if html else "",
                    message_id=str(message["Message-ID"]))


class Mailbox:
    """The handler: records accepted messages, refused attempts and interrupted ones."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []   # answered 250: delivered
        self.refused: list[tuple[str, Received]] = []  # answered 4xx/5xx
        self.aborted: list[Received] = []    # full DATA received, sender gone before our answer
        self.interrupted_after_accept: list[Received] = []  # sender gone while we held its QUIT
        self.mode = "accept"
        self.delay = 0.0
        self._armed: str | None = None
        self._armed_seconds = 0.0
        self.held = threading.Event()
        self.held_message: Received | None = None
        self.held_peer: tuple | None = None  # (host, port) of the client being held

    # -- switches -----------------------------------------------------------------------------
    def behave(self, mode: str = "accept", delay: float = 0.0) -> None:
        """accept | 451 | 550, with an optional wait before answering DATA."""
        assert mode in ("accept", "451", "550")
        with self.lock:
            self.mode, self.delay = mode, delay

    def arm(self, where: str, seconds: float) -> None:
        """Hold the next client for `seconds` before answering its DATA ("data") or its QUIT ("quit")."""
        assert where in ("data", "quit")
        with self.lock:
            self._armed, self._armed_seconds = where, seconds
            self.held.clear()
            self.held_message = None
            self.held_peer = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refused.clear()
            self.aborted.clear()
            self.interrupted_after_accept.clear()

    # -- reading --------------------------------------------------------------------------------
    def delivered(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    # -- aiosmtpd hooks -------------------------------------------------------------------------
    async def handle_DATA(self, server, session, envelope):
        received = _parse(envelope)
        session.theodoi_message = received
        with self.lock:
            mode, delay = self.mode, self.delay
            hold = self._armed_seconds if self._armed == "data" else 0.0
            if hold:
                self._armed = None
        if hold:
            self.held_message, self.held_peer = received, session.peer
            self.held.set()
        try:
            if delay or hold:
                await asyncio.sleep(max(delay, hold))
        except asyncio.CancelledError:
            with self.lock:
                self.aborted.append(received)
            raise
        if mode == "451":
            with self.lock:
                self.refused.append(("451", received))
            return "451 4.3.0 Try again later"
        if mode == "550":
            with self.lock:
                self.refused.append(("550", received))
            return "550 5.1.1 Mailbox unavailable"
        with self.lock:
            self.messages.append(received)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        with self.lock:
            hold = self._armed_seconds if self._armed == "quit" and hasattr(session, "theodoi_message") else 0.0
            if hold:
                self._armed = None
        if hold:
            self.held_message, self.held_peer = session.theodoi_message, session.peer
            self.held.set()
            try:
                await asyncio.sleep(hold)
            except asyncio.CancelledError:
                with self.lock:
                    self.interrupted_after_accept.append(session.theodoi_message)
                raise
        return "221 Bye"


class SmtpServer:
    """An aiosmtpd Controller with a Mailbox, on 127.0.0.1 and a free port."""

    def __init__(self, port: int):
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port, ready_timeout=10)
        self.host, self.port = "127.0.0.1", port

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
