"""Exchanging the local card for the national certificate, against the real FHIR server."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kiosk.config import SyncSettings
from kiosk.errors import KioskError
from kiosk.services.exchange import ExchangeRefused
from kiosk.storage.tables import AuditEntry, Card
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.fhir import FhirServer
from kiosk.sync.records import Venue
from tests.sync_helpers import drain_until_settled, serve


def card_for(station, clock, code="REG-0007"):
    served = serve(station, clock, [code])
    return served, station.clinic.issue_card(served.visits[0])


def test_exchange_after_the_dose_reached_the_server(station, clock, fhir_server):
    served, card = card_for(station, clock)
    exchange = station.exchange
    before = exchange.look_up(card.payload)
    assert (before.record_state, before.on_server, exchange.certificate_record(before)) == ("pending", False, None)
    with pytest.raises(KioskError, match="no national certificate yet"):
        exchange.exchange(before.card_id, "Petugas Sari", "")

    server = FhirServer(SyncSettings(server="fhir", url=fhir_server.url, patients="create"))
    drain_until_settled(Drainer(station.ctx.db, server, Venue("KRW", "Stadion", "ST-01"), backoff=Backoff(0.05, 0.5)))
    view = exchange.look_up(card.payload)
    assert view.on_server and view.name and view.nik_masked == served.niks[0][:4] + "*" * 10 + served.niks[0][-2:]
    assert (view.dose_number, view.product, view.lot) == (1, "SINOVAC", "SNV-2107")
    certificate = server.certificate(exchange.certificate_record(view))
    [immunization] = fhir_server.search("Immunization", identifier=f"urn:ietf:rfc:3986|urn:uuid:{served.doses[0]}")
    assert (certificate.status, certificate.certificate_id) == ("issued", f"Immunization/{immunization['id']}")

    exchange.exchange(view.card_id, "Petugas Sari", certificate.certificate_id)
    with station.ctx.db.read() as s:
        stored = s.get(Card, card.id)
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "card.exchanged")).one()
    assert (stored.status, stored.certificate_id, stored.exchanged_by) == ("exchanged", certificate.certificate_id, "Petugas Sari")
    assert audit.actor == "Petugas Sari" and card.short_id in audit.detail
    with pytest.raises(ExchangeRefused, match="Already exchanged .* by Petugas Sari for Immunization/") as refused:
        exchange.look_up(card.payload)
    assert refused.value.reason == "already_exchanged"


def test_forged_foreign_and_wrong_slips_are_refused_with_the_reason(station, clock):
    _, card = card_for(station, clock)
    head, signature = card.payload.rsplit("/", 1)
    forged = head.replace("/20210805/", "/20210806/") + "/" + signature
    cases = {forged: "forged", card.payload.replace("/KRW/", "/BDG/"): "unknown_venue",
             "REG-0001": "not_a_card", "": "not_a_card"}
    for scanned, reason in cases.items():
        with pytest.raises(ExchangeRefused) as refused:
            station.exchange.look_up(scanned)
        assert refused.value.reason == reason, scanned


def test_server_down_at_the_desk_says_unreachable(station, clock, fhir_server, proxy):
    _, card = card_for(station, clock)
    server = FhirServer(SyncSettings(server="fhir", url=proxy.url(), timeout_seconds=1, patients="create"))
    drain_until_settled(Drainer(station.ctx.db, server, Venue("KRW", "Stadion", "ST-01"), backoff=Backoff(0.05, 0.5)))
    view = station.exchange.look_up(card.payload)
    proxy.down()
    certificate = server.certificate(station.exchange.certificate_record(view))
    assert certificate.status == "unreachable" and certificate.detail.startswith("cannot reach 127.0.0.1")
