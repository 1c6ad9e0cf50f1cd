"""Sync through a faulty network to a real FHIR R4 server (sekmet-fhir on 127.0.0.1).

The station records real visits in its real SQLite file; the drainer sends them through the
fault proxy (a test double for the network only); afterwards the server itself is asked: every
record exactly once, none lost, each person's records in the order they were made.
"""

from __future__ import annotations

import time

import pytest

from kiosk.config import SyncSettings
from kiosk.services.sync_desk import needing_attention, resend, sync_status
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.fhir import FhirServer
from kiosk.sync.records import Venue
from tests.fault_proxy import operation_outcome
from tests.sync_helpers import assert_exactly_once_in_order, dose_after_screening, drain_until_settled, local_states, serve

CODES = [f"REG-{n:04d}" for n in range(1, 9)]
FEVER = {"REG-0003", "REG-0006"}


def drainer_for(station, url: str, timeout: float = 2.0, batch: int = 5) -> Drainer:
    server = FhirServer(SyncSettings(server="fhir", url=url, timeout_seconds=timeout, patients="create"))
    return Drainer(station.ctx.db, server, Venue("KRW", "Stadion Singaperbangsa", "ST-01"), batch_size=batch,
                   lease_seconds=30, backoff=Backoff(base=0.05, cap=0.5))


def is_bundle(request) -> bool:
    return request.method == "POST" and request.path.rstrip("/").endswith("/fhir")


def test_backlog_arrives_once_in_person_order(station, clock, fhir_server, proxy):
    served = serve(station, clock, CODES, FEVER)
    drainer = drainer_for(station, proxy.url())
    drain_until_settled(drainer)
    assert_exactly_once_in_order(fhir_server, served)
    dose_after_screening(fhir_server, station, served)
    states = local_states(station)
    # the 36 imported registrations are the station's own bookkeeping: no central row at all
    assert states == {"acknowledged": 8 + 8 + 6}
    status = sync_status(station.ctx.db)
    assert status.backlog == 0 and status.last_success_at is not None and status.last_error == ""
    requests = [r for r, _ in proxy.seen if is_bundle(r)]
    assert len(requests) == 22  # one transaction bundle per record, no retries on a healthy link


def test_refused_connections_are_retried_once_the_server_is_back(station, clock, fhir_server, proxy):
    served = serve(station, clock, CODES[:4], FEVER)
    drainer = drainer_for(station, proxy.url())
    proxy.down()
    report = drainer.drain()
    assert report.sent == 0 and report.paused_for > 0 and "connection refused" in report.errors[0]
    status = sync_status(station.ctx.db)
    assert status.backlog == 4 + 4 + 3 and "connection refused" in status.last_error  # only local records settled
    assert status.oldest_pending_at is not None
    proxy.up()
    drain_until_settled(drainer)
    assert_exactly_once_in_order(fhir_server, served)


def test_503_retry_after_is_honoured(station, clock, fhir_server, proxy):
    served = serve(station, clock, CODES[:3])
    answered: list[float] = []

    def rule(request):
        if is_bundle(request):
            answered.append(time.monotonic())
            if len(answered) <= 2:
                return operation_outcome(503, "PCare sedang gangguan", {"Retry-After": "1"})
        return "forward"

    proxy.rule = rule
    drainer = drainer_for(station, proxy.url())
    first = drainer.drain()
    assert first.paused_for == pytest.approx(1.0, abs=0.1) and "HTTP 503: PCare sedang gangguan" in first.errors[0]
    assert drainer.drain().sent == 0  # still paused: nothing sent before the server said so
    drain_until_settled(drainer)
    assert answered[1] - answered[0] >= 0.95 and answered[2] - answered[1] >= 0.95
    assert_exactly_once_in_order(fhir_server, served)


def test_lost_acknowledgements_do_not_duplicate(station, clock, fhir_server, proxy):
    served = serve(station, clock, CODES, FEVER)
    bundles = 0

    def rule(request):
        nonlocal bundles
        if is_bundle(request):
            bundles += 1
            if bundles % 3 == 0:
                return "lost_ack"  # the server commits; the station hears a reset
        return "forward"

    proxy.rule = rule
    drain_until_settled(drainer_for(station, proxy.url()))
    assert len([1 for _, action in proxy.seen if action == "lost_ack"]) >= 7
    assert_exactly_once_in_order(fhir_server, served)
    dose_after_screening(fhir_server, station, served)


def test_answers_slower_than_the_timeout_do_not_duplicate(station, clock, fhir_server, proxy):
    served = serve(station, clock, CODES[:4], FEVER)
    bundles = 0

    def rule(request):
        nonlocal bundles
        if is_bundle(request):
            bundles += 1
            if bundles in (2, 5):
                return ("delay", 1.5)  # forwarded after the station gave up: the server commits late
        return "forward"

    proxy.rule = rule
    drain_until_settled(drainer_for(station, proxy.url(), timeout=0.5))
    time.sleep(1.6)  # let the late copies land before counting
    assert "no answer from" in sync_status(station.ctx.db).last_error and "within 0.5 s" in sync_status(station.ctx.db).last_error
    assert [action for _, action in proxy.seen].count("delay") == 2
    assert_exactly_once_in_order(fhir_server, served)


def test_a_refused_record_needs_attention_and_blocks_nobody(station, clock, fhir_server, proxy):
    served = serve(station, clock, CODES, FEVER)
    bad_visit = served.visits[1]

    def rule(request):
        if is_bundle(request) and request.has(str(bad_visit)):
            return operation_outcome(400, "Encounter.period.start: tanggal tidak valid")
        return "forward"

    proxy.rule = rule
    drainer = drainer_for(station, proxy.url())
    drain_until_settled(drainer)
    assert_exactly_once_in_order(fhir_server, served, rejected_visits={bad_visit})
    # the same person's screening and dose went on without it
    assert fhir_server.count("Observation", identifier=f"urn:ietf:rfc:3986|urn:uuid:{served.screenings[1]}") == 1
    attention = needing_attention(station.ctx.db)
    assert len(attention) == 1
    item = attention[0]
    assert item.topic == "visit.checked_in" and "HTTP 400: Encounter.period.start: tanggal tidak valid" in item.error
    assert served.niks[1] in item.person
    assert sync_status(station.ctx.db).needs_attention == 1

    proxy.rule = lambda request: "forward"  # the cause is fixed; staff resend it
    resend(station.ctx.db, str(item.row_id)[:8], "tech", clock.now())
    drain_until_settled(drainer)
    assert_exactly_once_in_order(fhir_server, served, resent_visits={bad_visit})
    assert needing_attention(station.ctx.db) == []
