"""Screening, dose and card after check-in; overrides, refusals and the printed slip's content."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from kiosk.credentials import Verdict, verify
from kiosk.domain.screening import Outcome, ScreeningAnswers
from kiosk.errors import IllegalTransition, KioskError
from kiosk.services.clinic import DoseEntry
from kiosk.storage.tables import AuditEntry, Card, OutboxRow, PrintJob, Screening

HEALTHY = ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80)
DOSE = DoseEntry("SINOVAC", "lot-a1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani")


def one(station, table, *where):
    with station.ctx.db.read() as s:
        return s.exec(select(table).where(*where)).one()


def test_scan_to_card(station, clock):
    visit = station.checkin.check_in("REG-0002").visit_id
    clock.advance(minutes=12)
    screening = station.clinic.record_screening(visit, HEALTHY, "nurse Rina")
    assert (screening.outcome, screening.rule_set_version) == ("proceed", "KMK-4638-2021")
    clock.advance(minutes=9)
    dose = station.clinic.record_dose(visit, DOSE)
    assert (dose.lot, dose.dose_number, dose.interval_table_version) == ("LOT-A1", 1, "ID-2021-08")
    clock.advance(minutes=30)
    card = station.clinic.issue_card(visit)
    verdict, parsed = verify(station.ctx.keys, card.payload)
    assert verdict is Verdict.VALID and parsed.credential_id == card.short_id and parsed.dose == 1
    assert station.desk.get(visit).state == "card_issued"
    topics = [r.topic for r in _outbox(station)]
    assert topics == ["visit.checked_in", "screening.recorded", "vaccination.recorded"]  # the card stays local
    job = one(station, PrintJob, PrintJob.subject_id == card.id)
    slip = station.printing.slip_for(job.id)
    text = slip.text()
    # the card shows its holder as much as they need to recognise it: given name, initial, the NIK's last four
    assert "KARTU VAKSIN SEMENTARA" in text and "Ahmad W." in text and "Wijaya" not in text and "************4423" in text
    assert "3215110310804423" not in text and "02-09-2021" in text  # next dose after 28 days
    assert slip.qr == card.payload and "KIPI 0800-1" in text


def _outbox(station):
    with station.ctx.db.read() as s:
        return s.exec(select(OutboxRow).where(OutboxRow.topic != "registration.created")
                      .order_by(OutboxRow.created_at)).all()


def test_steps_out_of_order_are_refused_with_a_reason(station):
    visit = station.checkin.check_in("REG-0002").visit_id
    with pytest.raises(IllegalTransition, match="record the screening"):
        station.clinic.record_dose(visit, DOSE)
    with pytest.raises(IllegalTransition):
        station.clinic.issue_card(visit)
    assert station.desk.get(visit).state == "checked_in"


def test_override_needs_a_reason_and_is_audited(station):
    visit = station.checkin.check_in("REG-0002").visit_id
    fever = ScreeningAnswers(temperature_c=37.9, systolic=120, diastolic=80)
    with pytest.raises(KioskError, match="needs a reason"):
        station.clinic.record_screening(visit, fever, "dr. Budi", override=Outcome.PROCEED)
    screening = station.clinic.record_screening(visit, fever, "dr. Budi", override=Outcome.PROCEED,
                                                override_reason="thermometer faulty, re-measured 36.8")
    assert (screening.computed_outcome, screening.outcome) == ("postpone", "proceed")
    audit = one(station, AuditEntry, AuditEntry.action == "screening.override")
    assert audit.actor == "dr. Budi" and "thermometer faulty" in audit.detail
    assert json.loads(one(station, Screening).answers_json)["temperature_c"] == 37.9


@pytest.mark.parametrize("entry, message", [
    (DoseEntry("SPUTNIK", "L1", dt.date(2022, 1, 1), "arm", "dr. A"), "unknown vaccine product"),
    (DoseEntry("SINOVAC", " ", dt.date(2022, 1, 1), "arm", "dr. A"), "lot number"),
    (DoseEntry("SINOVAC", "L1", dt.date(2021, 8, 4), "arm", "dr. A"), "expired on 04-08-2021"),
])
def test_bad_dose_entries_are_refused(station, entry, message):
    visit = station.checkin.check_in("REG-0002").visit_id
    station.clinic.record_screening(visit, HEALTHY, "nurse")
    with pytest.raises(KioskError, match=message):
        station.clinic.record_dose(visit, entry)
    assert station.desk.get(visit).state == "screened"


def test_reprint_keeps_the_card_id_and_counts(station):
    visit = station.checkin.check_in("REG-0002").visit_id
    station.clinic.record_screening(visit, HEALTHY, "nurse")
    station.clinic.record_dose(visit, DOSE)
    card = station.clinic.issue_card(visit)
    job = station.clinic.reprint_card(card.id, "desk")
    assert job.reprint_no == 1 and one(station, Card).short_id == card.short_id
    assert "REPRINT 1" in station.printing.slip_for(job.id).text()


def test_staff_find_visits_by_name_nik_queue_and_card(station):
    visit = station.checkin.check_in("REG-0002").visit_id
    assert [v.visit_id for v in station.desk.find("ahmad")] == [visit]
    assert [v.visit_id for v in station.desk.find("3215110310804423")] == [visit]
    assert [v.visit_id for v in station.desk.find("a-1")] == [visit]
    assert station.desk.find("nobody") == []


def test_a_desk_only_does_its_own_step(station):
    visit = station.checkin.check_in("REG-0002").visit_id
    station.ctx.role = "vaccination"
    with pytest.raises(KioskError, match="this station is the vaccination desk; screening is done at the screening desk"):
        station.clinic.record_screening(visit, HEALTHY, "nurse")
    station.ctx.role = "screening"
    station.clinic.record_screening(visit, HEALTHY, "nurse")
    with pytest.raises(KioskError, match="vaccination desk"):
        station.clinic.record_dose(visit, DOSE)
