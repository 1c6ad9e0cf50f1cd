"""End to end on one station: a QR in front of the camera -> card on paper, checked in the bytes.

Real parts throughout: the SQLite file, the folder camera (frames from a PNG), zxing-cpp,
the Textual app driven by Pilot, python-escpos bytes read back by the test's ESC/POS parser.
"""

import json

from sqlmodel import select
from textual.widgets import Input, Label

from kiosk.credentials import Verdict, verify
from kiosk.storage.tables import Card, OutboxRow, PrintJob, Screening, Vaccination, Visit
from screens.card import CardScreen
from screens.result import ResultScreen
from screens.staff import StaffScreen
from tests.conftest import STAFF_PIN
from tests.escpos_parse import parse
from tests.helpers import show_qr, type_text, unlock, until, until_screen


async def test_scanned_code_to_verified_card(make_app, station, clock):
    (station.settings.data_dir / "camera").mkdir()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        show_qr(station.settings.data_dir / "camera", "https://daftar.example.id/r/REG-0011")
        await until_screen(pilot, ResultScreen)
        await pilot.click("#result-box")
        await unlock(pilot, app, STAFF_PIN)
        await until(pilot, lambda: isinstance(app.screen, StaffScreen) and app.screen.visits)
        clock.advance(minutes=15)
        visit_id = app.screen.visits[0].visit_id
        app.station.clinic.record_screening(visit_id, _healthy(), "Nurse Rina")  # form tested in test_staff
        await pilot.click("#staff-dose")
        await until(pilot, lambda: app.screen.query("#dose-lot"))
        for field, value in (("lot", "snv-2107"), ("expiry", "2021-12-31"), ("vaccinator", "dr. Ani")):
            app.screen.query_one(f"#dose-{field}", Input).value = value
        await pilot.click("#dose-save-button")
        await until_screen(pilot, CardScreen)
        await pilot.click("#card-issue")  # the camera worker runs on: wait for the print, not for all workers
        await until(pilot, lambda: "printed" in str(app.screen.query_one("#card-print-state", Label).render()))

    with station.ctx.db.read() as s:
        visit = s.exec(select(Visit)).one()
        card = s.exec(select(Card)).one()
        dose = s.exec(select(Vaccination)).one()
        screening = s.exec(select(Screening)).one()
        job = s.exec(select(PrintJob)).one()
        outbox = s.exec(select(OutboxRow).where(OutboxRow.topic != "registration.created")).all()
    assert (visit.state, visit.queue_number, visit.station_id) == ("card_issued", "A-1", "ST-01")
    assert (dose.product, dose.lot, dose.vaccinator) == ("SINOVAC", "SNV-2107", "dr. Ani")
    assert screening.rule_set_version == "KMK-4638-2021" and (job.state, job.attempts) == ("done", 1)
    by_topic = {row.topic: json.loads(row.payload_json) for row in outbox}
    assert set(by_topic) == {"visit.checked_in", "screening.recorded", "vaccination.recorded"}  # the card stays local
    assert all(row.state == "pending" and row.destination == "central" for row in outbox)
    assert by_topic["vaccination.recorded"]["cvx"] == "511"

    printed = sorted((station.settings.data_dir / "slips").glob("*-card.bin"))
    assert len(printed) == 1
    paper = parse(printed[0].read_bytes())
    text = paper.text()
    assert "KARTU VAKSIN SEMENTARA" in text and "TEMPORARY VACCINATION CARD" in text
    assert "Stadion Singaperbangsa" in text and "NIK: ************" in text
    nik = station.desk.get(visit.id).nik
    assert nik not in text and all(nik not in q for q in paper.qr_payloads)
    assert "Lot: SNV-2107  Dosis/Dose: 1" in text and "Dosis berikutnya/Next dose: 02-09-2021" in text
    assert paper.cuts == 1
    verdict, credential = verify(station.ctx.keys, paper.qr_payloads[0])
    assert verdict is Verdict.VALID and credential.credential_id == card.short_id and credential.dose == 1


def _healthy():
    from kiosk.domain.screening import ScreeningAnswers

    return ScreeningAnswers(temperature_c=36.6, systolic=120, diastolic=80)


__all__ = ["type_text"]
