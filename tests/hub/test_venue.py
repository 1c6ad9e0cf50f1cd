"""Stations of one venue on a real PostgreSQL hub: one cap, one list of who came, passes and doses venue-wide."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from kiosk.domain.screening import ScreeningAnswers
from kiosk.errors import KioskError
from kiosk.hub import admin
from kiosk.hub.link import HubLink, HubRefused
from kiosk.services.clinic import DoseEntry
from kiosk.storage.tables import DayQuota, Registration, Visit
from tests.conftest import DEMO_CSV
from tests.hub.venue import STATION_PASSWORD, karawang_plan_loaded, sync, venue_station
from tests.tcp_relay import TcpRelay

HEALTHY = ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80)
DOSE = DoseEntry("SINOVAC", "LOT-A1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani")
CODES = [f"REG-{n:04d}" for n in range(1, 37)]


@pytest.fixture
def venue(hub, tmp_path, clock):
    """Two stations of a venue whose 5 August cap is ``stock / 5``; the demo registrations imported at the hub."""
    made = []

    def make(stock: int = 2000, stations: tuple[str, ...] = ("ST-A", "ST-B"), port: int | None = None, **hub_settings):
        karawang_plan_loaded(hub, stock=stock)
        assert admin.import_registrations(hub.url(), DEMO_CSV).imported == 36
        built = [venue_station(tmp_path, hub, sid, clock, port, **hub_settings) for sid in stations]
        made.extend(built)
        sync(*built)
        return built

    yield make
    for station in made:
        station.close()


def hub_rows(cluster, sql: str, **params):
    engine = admin.owner_engine(cluster.url())
    try:
        with engine.connect() as c:
            return c.execute(text(sql), params).all()
    finally:
        engine.dispose()


def test_two_stations_share_one_cap_and_the_next_person_gets_a_pass_held_at_the_hub(hub, venue):
    a, b = venue(stock=50)  # 10 on 5 August
    outcomes = [(a if i % 2 else b).checkin.check_in(code) for i, code in enumerate(CODES[:14])]
    kinds = [o.kind for o in outcomes]
    assert kinds.count("admitted") == 10 and kinds[10:] == ["full"] * 4
    assert {o.day for o in outcomes[10:]} == {dt.date(2021, 8, 6)}
    day = hub_rows(hub, "SELECT * FROM hub_day WHERE service_day = '2021-08-05'")[0]
    assert (day.leased, day.turned_away) == (10, 4)
    assert hub_rows(hub, "SELECT held_for_passes FROM hub_day WHERE service_day = '2021-08-06'")[0][0] == 4
    sync(a, b)
    assert hub_rows(hub, "SELECT count(*) FROM hub_visit")[0][0] == 10  # every admitted one is at the hub


def test_the_same_person_at_a_second_station_is_told_they_are_in_already(venue, clock):
    a, b = venue()
    first = a.checkin.check_in("REG-0001")
    clock.advance(minutes=5)
    again = b.checkin.check_in("3215216807038915")  # the same person, typing their NIK at the other station
    assert first.kind == "admitted" and again.kind == "already_checked_in"
    assert f"{again.at:%H:%M}" == "08:00" and again.detail == "station ST-A"
    with b.ctx.db.read() as s:
        assert s.exec(select(Visit)).all() == []  # B recorded nothing
        assert s.get(DayQuota, dt.date(2021, 8, 5)).used == 0  # and kept its slot


def test_a_block_leased_for_someone_in_already_elsewhere_is_not_lost_to_the_next_person(hub, venue):
    a, b = venue(stock=10)  # 2 on 5 August
    assert b.checkin.check_in("REG-0001").kind == "admitted"  # B leases one of the two
    again = a.checkin.check_in("REG-0001")  # A leases the other for them, then hears they are in at B
    assert again.kind == "already_checked_in"
    nxt = a.checkin.check_in("REG-0003")
    assert nxt.kind == "admitted"  # the slot A leased is still A's to give
    lease = hub_rows(hub, "SELECT granted, spent FROM hub_lease WHERE station_id = 'ST-A'")[0]
    with a.ctx.db.read() as s:
        row = s.get(DayQuota, dt.date(2021, 8, 5))
        assert (row.cap, row.used) == (lease.granted, lease.spent) == (1, 1)


def test_a_pass_issued_at_one_station_holds_its_slot_at_any_other(venue, clock):
    a, b = venue(stock=10)  # 2 a day
    assert [a.checkin.check_in(c).kind for c in ("REG-0001", "REG-0003")] == ["admitted", "admitted"]
    turned = a.checkin.check_in("REG-0002")
    assert turned.kind == "full" and turned.day == dt.date(2021, 8, 6)
    b_turned = b.checkin.check_in("REG-0006")  # the venue's day, not A's: B has none either
    assert (b_turned.kind, b_turned.day) == ("full", dt.date(2021, 8, 6))  # the 6th's second slot now held
    clock.advance(days=1)
    sync(a, b)
    assert b.checkin.check_in("REG-0004").kind == "full"  # both of 6 August's slots are held for the passes
    holder = b.checkin.check_in("3215110310804423")  # the pass holder, by NIK, at the other station
    assert holder.kind == "admitted" and holder.queue_number.startswith("P-")
    other = a.checkin.check_in("REG-0006")  # B's pass, honoured at A
    assert other.kind == "admitted" and other.queue_number.startswith("P-")
    assert a.checkin.check_in("REG-0006").kind == "already_checked_in"


def test_a_dose_at_one_station_counts_at_another(venue, clock):
    a, b = venue()
    visit = a.checkin.check_in("REG-0001").visit_id
    a.clinic.record_screening(visit, HEALTHY, "nurse")
    a.clinic.record_dose(visit, DOSE)
    sync(a)
    clock.advance(days=2)
    early = b.checkin.check_in("REG-0001")
    assert early.kind == "too_early" and early.day == dt.date(2021, 9, 2)  # B never saw the dose itself


def test_a_station_cut_off_works_on_its_allowance_then_catches_up_and_conflicts_are_listed(hub, venue, clock):
    relay = TcpRelay(hub.port)
    try:
        a, b = venue(stations=("ST-A",), offline_slots=3)[0], None
        b = venue_station(a.settings.data_dir.parent, hub, "ST-B", clock, relay.port, offline_slots=3)
        sync(b)
        assert b.checkin.check_in("REG-0001").kind == "admitted"
        relay.cut()
        started = time.monotonic()
        cut_off = [b.checkin.check_in(code) for code in CODES[1:6]]
        assert [o.kind for o in cut_off] == ["admitted"] * 3 + ["full_no_pass"] * 2
        assert time.monotonic() - started < 15  # a hub known to be gone is not waited on for each person
        assert a.checkin.check_in("REG-0002").kind == "admitted"  # admitted on both sides of the cut
        relay.mend()
        b.ctx.hub.probe()
        sync(b, a)
        conflicts = admin.conflicts(admin.owner_engine(hub.url()))
        assert [(c.kind, c.first_station, c.second_station) for c in conflicts] == [("visit", "ST-A", "ST-B")]
        lease = hub_rows(hub, "SELECT granted, spent FROM hub_lease WHERE station_id = 'ST-B'")[0]
        with b.ctx.db.read() as s:
            row = s.get(DayQuota, dt.date(2021, 8, 5))
            assert (row.spends, row.cap, row.offline_used) == (lease.spent, lease.granted, 0) == (4, lease.granted, 0)
        visits = hub_rows(hub, "SELECT station_id, count(*) FROM hub_visit GROUP BY station_id ORDER BY 1")
        assert [tuple(v) for v in visits] == [("ST-A", 1), ("ST-B", 4)]
    finally:
        relay.close()


def test_an_expired_lease_is_reclaimed_but_never_below_what_its_station_may_have_spent(hub, venue):
    a, b = venue(stock=100, lease_seconds=2, offline_slots=2, block_max=20)  # 20 on 5 August
    assert a.checkin.check_in("REG-0001").kind == "admitted"  # A leases a block, spends one, then goes silent
    held = hub_rows(hub, "SELECT granted FROM hub_lease WHERE station_id = 'ST-A'")[0][0]
    time.sleep(2.5)
    admitted = sum(b.checkin.check_in(code).kind == "admitted" for code in CODES[1:])
    lease = hub_rows(hub, "SELECT granted, spent, reclaimed FROM hub_lease WHERE station_id = 'ST-A'")[0]
    assert lease.granted == 1 + 2 and lease.reclaimed == held - 3  # spent + the offline allowance stay A's
    assert admitted == 20 - 3
    day = hub_rows(hub, "SELECT cap, leased FROM hub_day WHERE service_day = '2021-08-05'")[0]
    assert day.leased == day.cap == 20


def test_the_station_role_can_do_what_a_station_does_and_nothing_more(hub, venue):
    a, _ = venue()
    sync(a)
    link: HubLink = a.ctx.hub
    for forbidden in ("DROP TABLE hub_day", "UPDATE hub_day SET cap = cap + 1000", "CREATE TABLE mine (a int)",
                      "UPDATE hub_lease SET granted = 1000", "DELETE FROM hub_claim", "TRUNCATE hub_record",
                      "UPDATE hub_visit SET state = 'no_show' WHERE station_id <> 'ST-A'",
                      "INSERT INTO hub_record (id, station_id, seq, topic, aggregate_id, payload, created_at) "
                      "VALUES (gen_random_uuid(), 'ST-B', 1, 'x', gen_random_uuid(), '{}', now())",
                      "SELECT sentra_reclaim('2021-08-05', 'ST-A')", "ALTER ROLE sentra_st_a SUPERUSER"):
        try:
            changed = link.run(forbidden + (" RETURNING 1" if forbidden.startswith("UPDATE hub_visit") else ""))
        except HubRefused:
            continue
        assert changed == [], f"the station role was allowed: {forbidden}"
    assert link.run("SELECT count(*) FROM hub_registration")[0][0] == 36  # reading is allowed


def test_an_unknown_role_is_refused_by_the_hub_functions(hub):
    karawang_plan_loaded(hub)
    hub.sql("CREATE ROLE intruder LOGIN PASSWORD 'intruder-password-1' IN ROLE sentra_station")
    link = HubLink(hub.url("intruder", "intruder-password-1"), "ST-X")
    with pytest.raises(HubRefused, match="is not a station of this venue"):
        link.lease(dt.date(2021, 8, 5), 10, uuid.uuid4())


def test_pulled_registrations_let_a_cut_off_station_find_people(venue):
    a, _ = venue()
    with a.ctx.db.read() as s:
        assert len(s.exec(select(Registration)).all()) == 36
    assert a.checkin.check_in("REG-0002").kind == "admitted"  # a station in use holds a block of slots
    a.ctx.hub.mark_down("test: the LAN is down")
    found = a.checkin.check_in("3215216807038915")
    assert (found.kind, found.name) == ("admitted", "Siti Wijaya")


def test_station_password_is_never_shown(hub, venue):
    a, _ = venue()
    from kiosk.config import effective_settings

    assert STATION_PASSWORD not in str(effective_settings(a.settings))


def test_a_walk_in_registered_at_one_station_is_found_at_another(venue):
    """The walk-in reaches the hub through A's outbox and B's pull."""
    from kiosk.services.registrations import PersonDetails

    a, b = venue()
    walkin = a.registrations.register_walkin(PersonDetails("3215014107900001", "Rina Walk", dt.date(1990, 7, 1), "F"), "desk")
    sync(a, b)  # A sends the registration, B pulls it
    found = b.checkin.check_in("3215014107900001")
    assert (found.kind, found.name) == ("admitted", "Rina Walk")
    rows = a.ctx.hub.run("SELECT created_by, source FROM hub_registration WHERE id = :i", i=walkin.id)
    assert [tuple(r) for r in rows] == [("ST-A", "walkin")]


def test_a_dose_recorded_while_cut_off_is_rechecked_when_the_rows_meet(hub, venue, clock):
    relay = TcpRelay(hub.port)
    try:
        a = venue(stations=("ST-A",))[0]
        b = venue_station(a.settings.data_dir.parent, hub, "ST-B", clock, relay.port)
        sync(b)
        assert b.checkin.check_in("REG-0002").kind == "admitted"  # B in use: it holds a block
        relay.cut()
        first = a.checkin.check_in("REG-0001").visit_id
        a.clinic.record_screening(first, HEALTHY, "nurse")
        a.clinic.record_dose(first, DOSE)
        sync(a)
        clock.advance(hours=2)  # the same person at B, cut off: B can see neither A's check-in nor its dose
        second = b.checkin.check_in("REG-0001")
        assert second.kind == "admitted" and second.dose_number == 1
        b.clinic.record_screening(second.visit_id, HEALTHY, "nurse")
        b.clinic.record_dose(second.visit_id, DOSE)
        relay.mend()
        b.ctx.hub.probe()
        sync(b)
        conflicts = admin.conflicts(admin.owner_engine(hub.url()))
        assert [(c.kind, c.first_station, c.second_station) for c in conflicts] == [("visit", "ST-A", "ST-B"),
                                                                                      ("dose", "ST-A", "ST-B")]
        assert "dose 1 recorded twice" in conflicts[1].detail
    finally:
        relay.close()


def test_a_station_whose_disk_was_lost_is_rebuilt_from_the_hub(hub, venue, clock):
    from kiosk.credentials import Verdict, verify
    from kiosk.hub.restore import restore_station
    from kiosk.identity import parse_payload
    from kiosk.storage.tables import Card, PriorityPass, QueueCounter

    a, _ = venue(stock=10)  # 2 a day
    first = a.checkin.check_in("REG-0001").visit_id
    a.clinic.record_screening(first, HEALTHY, "nurse")
    a.clinic.record_dose(first, DOSE)
    card = a.clinic.issue_card(first)
    a.checkin.check_in("REG-0002")
    assert a.checkin.check_in("REG-0003").kind == "full"
    sync(a)
    with a.ctx.db.read() as s:
        before = {v.id: (v.queue_number, v.state, v.dose_number) for v in s.exec(select(Visit)).all()}
        pass_before = s.exec(select(PriorityPass)).one()
    a.close()
    for name in ("station.db", "station.db-wal", "station.db-shm"):  # the disk is lost (the venue key was backed up)
        (a.settings.data_dir / name).unlink(missing_ok=True)

    restored = venue_station(a.settings.data_dir.parent, hub, "ST-A", clock)
    try:
        report = restore_station(restored, "ST-A")
        assert report.replayed == {"visit.checked_in": 2, "screening.recorded": 1, "vaccination.recorded": 1,
                                   "card.issued": 1, "pass.issued": 1}
        with restored.ctx.db.read() as s:
            after = {v.id: (v.queue_number, v.state, v.dose_number) for v in s.exec(select(Visit)).all()}
            again = s.get(Card, card.id)
            counter = s.get(QueueCounter, (dt.date(2021, 8, 5), "A"))
            pass_after = s.get(PriorityPass, pass_before.id)
        assert after == before
        assert again.short_id == card.short_id and again.payload == card.payload
        assert verify(restored.ctx.keys, parse_payload(again.payload))[0] is Verdict.VALID
        assert counter.last == 2 and pass_after.short_id == pass_before.short_id
        assert restored.checkin.check_in("REG-0001").kind == "already_checked_in"
        with pytest.raises(KioskError, match="already holds visits"):
            restore_station(restored, "ST-A")
    finally:
        restored.close()


def test_someone_turned_away_twice_at_two_stations_keeps_one_pass(hub, venue):
    a, b = venue(stock=5)  # 1 a day
    assert a.checkin.check_in("REG-0001").kind == "admitted"
    first = a.checkin.check_in("REG-0002")
    again = b.checkin.check_in("REG-0002")
    assert (first.kind, again.kind) == ("full", "pass_held") and again.day == first.day and again.pass_id == first.pass_id
    assert hub_rows(hub, "SELECT count(*) FROM hub_pass")[0][0] == 1
    assert hub_rows(hub, "SELECT turned_away FROM hub_day WHERE service_day = '2021-08-05'")[0][0] == 1
