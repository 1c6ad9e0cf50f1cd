"""Check-in against the day's quota, on a real SQLite station database."""

import datetime as dt

import pytest
from sqlmodel import select

from kiosk.credentials import sign_pass
from kiosk.domain.screening import ScreeningAnswers
from kiosk.services.clinic import DoseEntry
from kiosk.storage.tables import DayQuota, OutboxRow, PrintJob, PriorityPass, Visit
from tests.conftest import DEMO_CSV

HEALTHY = ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80)
DOSE = DoseEntry("SINOVAC", "LOT-A1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani")


def rows(station, table, *where):
    with station.ctx.db.read() as s:
        return s.exec(select(table).where(*where)).all()


def test_registered_attendee_gets_a_queue_number_and_an_outbox_row(station):
    outcome = station.checkin.check_in("REG-0001")
    assert (outcome.kind, outcome.queue_number, outcome.name) == ("admitted", "A-1", "Siti Wijaya")
    assert station.checkin.check_in("3215110310804423").queue_number == "A-2"  # typed NIK
    visit = rows(station, Visit, Visit.id == outcome.visit_id)[0]
    assert visit.state == "checked_in" and visit.dose_number == 1
    outbox = rows(station, OutboxRow, OutboxRow.aggregate_id == visit.id)
    assert [(r.topic, r.destination, r.state) for r in outbox] == [("visit.checked_in", "central", "pending")]
    assert '"nik": "3215216807038915"' in outbox[0].payload_json
    assert station.desk.day_numbers().used == 2


def test_same_person_twice_on_one_day_is_told_when(station, clock):
    station.checkin.check_in("REG-0001")
    clock.advance(minutes=47)
    again = station.checkin.check_in("REG-0001")
    assert again.kind == "already_checked_in" and f"{again.at:%H:%M}" == "08:00" and again.queue_number == "A-1"
    assert station.desk.day_numbers().used == 1


def test_unknown_people_and_strange_codes(station):
    assert station.checkin.check_in("REG-9999").kind == "not_registered"
    assert station.checkin.check_in("3171015708450001").kind == "not_registered"
    strange = station.checkin.check_in(b"\xff\x00junk")
    assert strange.kind == "unrecognised" and strange.detail == "binary data, not text"


def test_full_day_turns_away_with_a_pass_that_holds_tomorrows_slot(make_station, clock):
    station = make_station(overrides={dt.date(2021, 8, 5): 2})
    station.registrations.import_csv(DEMO_CSV)
    assert station.checkin.check_in("REG-0001").kind == "admitted"
    assert station.checkin.check_in("REG-0002").kind == "admitted"
    full = station.checkin.check_in("REG-0003")
    assert full.kind == "full" and full.day == dt.date(2021, 8, 6)
    again = station.checkin.check_in("REG-0003")
    assert again.kind == "pass_held" and again.pass_id == full.pass_id  # one pass per person, counted once
    today = station.desk.day_numbers()
    assert (today.used, today.free, today.turned_away, today.passes_issued) == (2, 0, 1, 1)
    assert rows(station, DayQuota, DayQuota.service_day == dt.date(2021, 8, 6))[0].held_for_passes == 1
    assert rows(station, PrintJob, PrintJob.subject_id == full.pass_id)[0].kind == "pass"

    pass_text = rows(station, PriorityPass)[0].payload
    assert station.checkin.check_in(pass_text).kind == "pass_not_today"
    clock.advance(days=1)
    for code in ("REG-0004", "REG-0005"):
        station.checkin.check_in(code)
    admitted = station.checkin.check_in(pass_text)
    assert admitted.kind == "admitted" and admitted.queue_number == "P-1"  # ahead of the queue
    assert station.checkin.check_in(pass_text).kind == "pass_used"
    assert station.desk.day_numbers().held_for_passes == 0


@pytest.mark.parametrize("identify", ["REG-0003", "3215046401608976"])  # Dewi's code, or her NIK typed
def test_a_pass_holder_who_types_their_nik_or_code_on_the_pass_day_uses_the_held_slot(make_station, clock, identify):
    station = make_station(overrides={dt.date(2021, 8, 5): 0})
    station.registrations.import_csv(DEMO_CSV)
    assert station.checkin.check_in("REG-0003").kind == "full"
    clock.advance(days=1)
    admitted = station.checkin.check_in(identify)
    assert admitted.kind == "admitted" and admitted.queue_number == "P-1"
    day = station.desk.day_numbers()
    assert (day.used, day.held_for_passes, day.turned_away) == (1, 0, 0)  # the held slot, not a second one
    [held] = rows(station, PriorityPass)
    assert held.used_at is not None


def test_a_pass_holder_served_earlier_gives_the_held_slot_back(make_station, clock):
    station = make_station(overrides={dt.date(2021, 8, 5): 0, dt.date(2021, 8, 6): 5})
    station.registrations.import_csv(DEMO_CSV)
    station.checkin.check_in("REG-0003")
    tomorrow = dt.date(2021, 8, 6)
    assert rows(station, DayQuota, DayQuota.service_day == tomorrow)[0].held_for_passes == 1
    with station.ctx.db.write() as s:  # today has room again (staff raised nothing: a visit was released)
        s.get(DayQuota, dt.date(2021, 8, 5)).cap = 1
    assert station.checkin.check_in("3215046401608976").queue_number == "A-1"
    assert rows(station, DayQuota, DayQuota.service_day == tomorrow)[0].held_for_passes == 0
    [held] = rows(station, PriorityPass)
    assert held.used_at is not None and station.checkin.check_in(held.payload).kind == "pass_used"


def test_forged_pass_is_refused(station):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.credentials import VenueKeys

    forger = VenueKeys("KRW", Ed25519PrivateKey.generate())
    outcome = station.checkin.check_in(sign_pass(forger, "AAAA1111", dt.date(2021, 8, 5)))
    assert outcome.kind == "forged" and outcome.detail == "forged"


def test_cap_holds_and_the_last_day_has_no_next_day(make_station, clock):
    station = make_station(stock=2, first_day=dt.date(2021, 8, 5), last_day=dt.date(2021, 8, 5))
    station.registrations.import_csv(DEMO_CSV)
    kinds = [station.checkin.check_in(f"REG-{i:04d}").kind for i in range(1, 5)]
    assert kinds == ["admitted", "admitted", "plan_over", "plan_over"]


def test_postponed_visit_gives_its_slot_back(station):
    visit = station.checkin.check_in("REG-0001").visit_id
    fever = ScreeningAnswers(temperature_c=38.2, systolic=120, diastolic=80)
    assert station.clinic.record_screening(visit, fever, "nurse").outcome == "postpone"
    numbers = station.desk.day_numbers()
    assert (numbers.used, numbers.postponed, numbers.released) == (0, 1, 1)


def test_second_dose_before_the_interval_names_the_earliest_date(station, clock):
    visit = station.checkin.check_in("REG-0001").visit_id
    station.clinic.record_screening(visit, HEALTHY, "nurse")
    station.clinic.record_dose(visit, DOSE)
    clock.advance(days=2)
    early = station.checkin.check_in("REG-0001")
    assert early.kind == "too_early" and early.day == dt.date(2021, 9, 2)


def test_day_close_marks_no_shows_and_carries_leftover(station, clock):
    station.checkin.check_in("REG-0001")
    clock.advance(days=1)
    station.checkin.check_in("REG-0002")  # opening the 6th closes the 5th
    aug5 = rows(station, DayQuota, DayQuota.service_day == dt.date(2021, 8, 5))[0]
    aug6 = rows(station, DayQuota, DayQuota.service_day == dt.date(2021, 8, 6))[0]
    assert aug5.closed and aug5.used == 0 and aug5.released == 1
    assert aug6.cap == 800  # 400 planned + 400 left over from the 5th
    no_show = rows(station, Visit, Visit.state == "no_show")
    assert len(no_show) == 1
    assert rows(station, OutboxRow, OutboxRow.topic == "visit.no_show") == []  # bookkeeping: not for the central server


def test_walkin_share_keeps_slots_for_walkins(make_station):
    from kiosk.services.registrations import PersonDetails

    station = make_station(overrides={dt.date(2021, 8, 5): 3}, walkin_share=0.34)
    station.registrations.import_csv(DEMO_CSV)
    assert [station.checkin.check_in(c).kind for c in ("REG-0001", "REG-0002", "REG-0003")] == ["admitted", "admitted", "full"]
    walkin = station.registrations.register_walkin(
        PersonDetails("3215014505900001", "Walk In", dt.date(1990, 5, 5), "F"), staff="desk")
    outcome = station.checkin.check_in_registration(walkin.id)
    assert outcome.kind == "admitted" and outcome.queue_number == "W-1"


def test_a_crash_inside_the_check_in_leaves_neither_visit_nor_outbox(station, monkeypatch):
    import kiosk.services.checkin as checkin

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(checkin, "record_event", boom)
    with pytest.raises(RuntimeError):
        station.checkin.check_in("REG-0001")
    assert rows(station, Visit) == [] and rows(station, OutboxRow, OutboxRow.topic == "visit.checked_in") == []
    assert station.desk.day_numbers().used == 0


@pytest.mark.parametrize(("policy", "appointment", "kind"), [
    ("any_day", dt.date(2021, 8, 7), "admitted"),
    ("on_or_after", dt.date(2021, 8, 7), "appointment_later"),
    ("on_or_after", dt.date(2021, 8, 4), "admitted"),
    ("exact", dt.date(2021, 8, 4), "appointment_missed"),
    ("exact", dt.date(2021, 8, 5), "admitted"),
])
def test_appointment_dates_follow_the_venue_policy(make_station, tmp_path, policy, appointment, kind):
    from kiosk.i18n import day
    from screens.result import outcome_lines

    station = make_station(appointments=policy)
    csv_text = DEMO_CSV.read_text().splitlines()
    header, first = csv_text[0], csv_text[1].split(",")
    first[6] = appointment.isoformat()
    (tmp_path / "appt.csv").write_text(header + "\n" + ",".join(first) + "\n", encoding="utf-8")
    assert station.registrations.import_csv(tmp_path / "appt.csv").imported == 1
    outcome = station.checkin.check_in(first[5])
    assert outcome.kind == kind
    if kind != "admitted":  # the attendee is told their day, in both languages
        indonesian, english = outcome_lines(outcome, "id")
        assert day(appointment, "id", "full") in indonesian and "Agustus" in indonesian  # "Sabtu, 07 Agustus 2021"
        assert day(appointment, "en", "full") in english and "appointment" in english  # "Saturday, August 7, 2021"
