"""The staff side of sync in the real app: the sender running inside it, the exchange desk, the
needs-attention list. The central server is the real FHIR server behind the fault proxy."""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Input

from kiosk.bootstrap import build_station
from kiosk.config import Settings
from kiosk.services.sync_desk import sync_status
from kiosk.storage.tables import Card
from screens.exchange import ExchangeScreen
from screens.staff import StaffScreen
from screens.sync import SyncScreen
from tests.conftest import DEMO_CSV, STAFF_PIN, _fixed_venue_key, settings_values
from tests.fault_proxy import operation_outcome
from tests.helpers import type_text, unlock, until, until_screen
from tests.sync_helpers import serve


@pytest.fixture
def synced_station(tmp_path, clock, proxy):
    values = settings_values(tmp_path)
    values["sync"] = {"server": "fhir", "url": proxy.url(), "patients": "create", "timeout_seconds": 2, "poll_seconds": 0.2,
                      "retry_base_seconds": 0.05, "retry_cap_seconds": 0.5}
    settings = Settings(**values)
    _fixed_venue_key(settings.venue_key_path)
    station = build_station(settings, clock=clock)
    assert not station.registrations.import_csv(DEMO_CSV).errors
    yield station
    station.close()


def app_for(station):
    from devices.factory import build_devices
    from screens.app import KioskApp

    devices = build_devices(station.settings)
    devices.camera = None
    return KioskApp(station.settings, station, devices)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_exchange_desk_withdraws_a_card_once_the_certificate_is_reported(synced_station, clock, fhir_server):
    served = serve(synced_station, clock, ["REG-0009"])
    card = synced_station.clinic.issue_card(served.visits[0])
    app = app_for(synced_station)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        # the app's own sender empties the outbox; the desk's sync line says so
        await until(pilot, lambda: sync_status(synced_station.ctx.db).backlog == 0, tries=1000)
        app.screen.show_sync()
        assert "Sync: 0 waiting" in text_of(app, "#staff-sync")

        await pilot.press("f7")
        await until_screen(pilot, ExchangeScreen)
        app.screen.query_one("#exchange-scan", Input).value = card.payload
        await pilot.press("enter")
        await until(pilot, lambda: "National certificate: Immunization/" in text_of(app, "#exchange-certificate"))
        assert "on the national server" in text_of(app, "#exchange-card")
        assert not app.screen.query_one("#exchange-confirm", Button).disabled
        await pilot.click("#exchange-staff")
        await type_text(pilot, "Petugas Sari")
        await pilot.click("#exchange-confirm")
        await until(pilot, lambda: "withdrawn" in text_of(app, "#exchange-message"))

        app.screen.query_one("#exchange-scan", Input).value = card.payload  # the same card again
        await pilot.press("enter")
        await until(pilot, lambda: "Already exchanged" in text_of(app, "#exchange-message"))
        assert app.screen.query_one("#exchange-confirm", Button).disabled

    with synced_station.ctx.db.read() as s:
        stored = s.get(Card, card.id)
    assert stored.status == "exchanged" and stored.exchanged_by == "Petugas Sari"
    assert stored.certificate_id.startswith("Immunization/")


async def test_a_card_whose_dose_is_still_waiting_cannot_be_exchanged(synced_station, clock, fhir_server, proxy):
    proxy.down()  # PCare is down today
    served = serve(synced_station, clock, ["REG-0010"])
    card = synced_station.clinic.issue_card(served.visits[0])
    app = app_for(synced_station)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        # the sender stores its words in the venue's language (Indonesian), whoever is at the desk
        await until(pilot, lambda: "sambungan ditolak" in sync_status(synced_station.ctx.db).last_error, tries=1000)
        app.screen.show_sync()
        assert "3 waiting" in text_of(app, "#staff-sync") and "sambungan ditolak" in text_of(app, "#staff-sync")
        await pilot.press("f7")
        await until_screen(pilot, ExchangeScreen)
        app.screen.query_one("#exchange-scan", Input).value = card.payload
        await pilot.press("enter")
        await until(pilot, lambda: "waiting to be sent" in text_of(app, "#exchange-card"))
        assert "The local card stays valid" in text_of(app, "#exchange-message")
        assert app.screen.query_one("#exchange-confirm", Button).disabled


async def test_needs_attention_list_shows_the_server_words_and_resends(synced_station, clock, fhir_server, proxy):
    served = serve(synced_station, clock, ["REG-0012"])
    bad_dose = str(served.doses[0])
    proxy.rule = lambda r: operation_outcome(422, "lotNumber SNV-2107 tidak dikenal") if r.has(bad_dose) else "forward"
    app = app_for(synced_station)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await until(pilot, lambda: sync_status(synced_station.ctx.db).needs_attention == 1, tries=1000)
        await pilot.press("f8")
        await until_screen(pilot, SyncScreen)
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        assert "HTTP 422: lotNumber SNV-2107 tidak dikenal" in text_of(app, "#sync-error")
        assert "need attention: 1" in text_of(app, "#sync-status")
        await pilot.click("#sync-resend")
        await until(pilot, lambda: "Type your name" in text_of(app, "#form-error"))
        proxy.rule = lambda r: "forward"  # the lot was added to the national list
        await pilot.click("#sync-by")
        await type_text(pilot, "Teknisi Budi")
        await pilot.click("#sync-resend")
        await until(pilot, lambda: "queued again" in text_of(app, "#form-error"))
        await until(pilot, lambda: sync_status(synced_station.ctx.db).acknowledged == 3, tries=1000)
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 0)
    assert len(fhir_server.search("Immunization", identifier=f"urn:ietf:rfc:3986|urn:uuid:{bad_dose}")) == 1
