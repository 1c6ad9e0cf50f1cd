"""Drainer rules that need precise control of the server's answers. The server here is an
in-process TEST DOUBLE of the CentralServer port (the real-server behaviour is in the other
sync tests); the station database is the real SQLite file."""

from __future__ import annotations

import threading
import time

from sqlmodel import select

from kiosk.services.sync_desk import sync_status
from kiosk.storage.tables import OutboxRow
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.port import Ack, TransientFailure
from kiosk.sync.records import Venue
from tests.sync_helpers import serve

VENUE = Venue("KRW", "Stadion", "ST-01")


class ScriptedServer:
    """Answers from a script keyed by (topic, attempt); everything else is acknowledged."""

    name = "scripted"

    def __init__(self, script=None, gate: threading.Event | None = None) -> None:
        self.script = script or {}
        self.sent: list[tuple[str, str]] = []
        self.gate = gate

    def send(self, record):
        if self.gate is not None:
            self.gate.wait(10)
        self.sent.append((record.topic, record.record_id))
        answer = self.script.get((record.topic, sum(1 for t, r in self.sent if r == record.record_id)))
        if isinstance(answer, Exception):
            raise answer
        return Ack(("X/1",)) if record.topic != "registration.created" else Ack(skipped="local")

    def certificate(self, record):
        raise NotImplementedError

    def close(self) -> None:
        pass


def test_a_409_retries_that_record_and_the_batch_goes_on(station, clock):
    serve(station, clock, ["REG-0001", "REG-0002"])
    server = ScriptedServer({("visit.checked_in", 1): TransientFailure("HTTP 409: busy", server_wide=False)})
    drainer = Drainer(station.ctx.db, server, VENUE, batch_size=50, backoff=Backoff(0.01, 0.02))
    report = drainer.drain()
    assert report.retrying == 2 and report.paused_for == 0  # both check-ins conflicted once...
    assert drainer.paused_until is None
    time.sleep(0.05)
    drainer.drain()
    drainer.drain()
    drainer.drain()
    assert sync_status(station.ctx.db).backlog == 0  # ...and went through on their retry
    with station.ctx.db.read() as s:
        rows = s.exec(select(OutboxRow).where(OutboxRow.topic == "visit.checked_in")).all()
    assert all(r.attempts == 1 and r.state == "acknowledged" for r in rows)


def test_an_adapter_bug_loses_nothing(station, clock):
    serve(station, clock, ["REG-0001"])
    server = ScriptedServer({("vaccination.recorded", 1): KeyError("lot")})
    drainer = Drainer(station.ctx.db, server, VENUE, backoff=Backoff(0.01, 0.02))
    report = drainer.drain()
    assert "unexpected KeyError" in report.errors[0]
    time.sleep(0.05)
    drainer.drain()
    assert sync_status(station.ctx.db).backlog == 0 and sync_status(station.ctx.db).needs_attention == 0


def test_a_sender_that_stalls_past_its_lease_leaves_the_results_to_the_next(station, clock):
    serve(station, clock, ["REG-0001"])
    gate = threading.Event()
    slow = Drainer(station.ctx.db, ScriptedServer(gate=gate), VENUE, lease_seconds=0.3, batch_size=50, holder="slow")
    fast = Drainer(station.ctx.db, ScriptedServer(), VENUE, lease_seconds=30, batch_size=50, holder="fast")
    stalled = threading.Thread(target=slow.drain)
    stalled.start()
    time.sleep(0.6)  # the slow sender is stuck in its first request; its lease runs out
    while sync_status(station.ctx.db).backlog:
        assert fast.drain().lease_holder == ""
    gate.set()
    stalled.join(10)
    assert sync_status(station.ctx.db).holder == "fast" and sync_status(station.ctx.db).backlog == 0
    with station.ctx.db.read() as s:
        assert all(r.state in ("acknowledged", "skipped") for r in s.exec(select(OutboxRow)).all())


def test_two_senders_never_send_at_once(station, clock):
    serve(station, clock, ["REG-0001", "REG-0002"])
    first = Drainer(station.ctx.db, ScriptedServer(), VENUE, holder="first")
    second = Drainer(station.ctx.db, ScriptedServer(), VENUE, holder="second")
    first.drain(max_batches=1)
    assert second.drain().lease_holder == "first"
    first.release()
    assert second.drain().lease_holder == ""
