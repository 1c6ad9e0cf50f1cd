"""The second adapter: plain JSON records with an Idempotency-Key, to a collector endpoint.

The collector here is a TEST DOUBLE (there is no public product to run): a loopback HTTP server
that keeps the first body per Idempotency-Key, as such collectors are specified to do.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.config import SyncSettings
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.jsonapi import JsonServer
from kiosk.sync.records import Venue
from tests.fault_proxy import FaultProxy
from tests.sync_helpers import drain_until_settled, serve


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.records: dict[str, dict] = {}
        self.posts = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Collector

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key")
        if not key:
            return self._send(400, {"error": "Idempotency-Key required"})
        with self.server.lock:
            self.server.posts += 1
            first = key not in self.server.records
            self.server.records.setdefault(key, {**body, "certificate_id": f"CERT-{len(self.server.records) + 1:05d}"})
        self._send(201 if first else 200, {"id": key})

    def do_GET(self) -> None:  # noqa: N802
        record = self.server.records.get(self.path.rsplit("/", 1)[-1])
        self._send(200, record) if record else self._send(404, {"error": "unknown record"})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def collector():
    server = Collector()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_every_record_arrives_once_through_lost_answers(station, clock, collector):
    proxy = FaultProxy(collector.server_address[1])
    posts = 0

    def rule(request):
        nonlocal posts
        posts += request.method == "POST"
        return "lost_ack" if request.method == "POST" and posts % 4 == 0 else "forward"

    proxy.rule = rule
    served = serve(station, clock, ["REG-0001", "REG-0002", "REG-0003"], {"REG-0002"})
    server = JsonServer(SyncSettings(server="json", url=proxy.url("/records"), timeout_seconds=2))
    drainer = Drainer(station.ctx.db, server, Venue("KRW", "Stadion", "ST-01"), backoff=Backoff(0.05, 0.5))
    drain_until_settled(drainer)
    records = list(collector.records.values())
    # every clinical record (registrations, cards and passes stay at the station), each once
    assert len(records) == 3 + 3 + 2 and collector.posts > len(records)
    topics = [r["topic"] for r in sorted(records, key=lambda r: r["sequence"])]
    assert topics.count("vaccination.recorded") == 2 and topics.count("screening.recorded") == 3
    dose = next(r for r in records if r["topic"] == "vaccination.recorded" and r["record_id"] == str(served.doses[0]))
    assert dose["person"]["nik"] == served.niks[0] and dose["venue"] == "KRW" and dose["data"]["lot"] == "SNV-2107"

    from sqlmodel import select

    from kiosk.storage.tables import OutboxRow

    with station.ctx.db.read() as s:
        row = s.exec(select(OutboxRow).where(OutboxRow.aggregate_id == served.doses[0])).one()
    certificate = server.certificate(drainer.record(row.id))
    assert certificate.status == "issued" and certificate.certificate_id.startswith("CERT-")
    proxy.down()
    assert server.certificate(drainer.record(row.id)).status == "unreachable"
    proxy.close()
