"""Shared by the sync tests and the sync benchmark: fill a station's outbox, drain it, count on the server."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass, field

from sqlmodel import col, select

from kiosk.bootstrap import Station
from kiosk.clock import FixedClock
from kiosk.domain.screening import ScreeningAnswers
from kiosk.services.clinic import DoseEntry
from kiosk.services.sync_desk import sync_status
from kiosk.storage.tables import OutboxRow, Registration, Screening, Vaccination, Visit
from kiosk.sync.drainer import Drainer
from kiosk.sync.fhir import RECORD_SYSTEM
from tests.fhir_server import NIK, FhirTestServer

HEALTHY = ScreeningAnswers(temperature_c=36.6, systolic=120, diastolic=80)
FEVER = ScreeningAnswers(temperature_c=38.2, systolic=120, diastolic=80)


@dataclass
class Served:
    """What the station recorded, to be found on the server."""

    niks: list[str] = field(default_factory=list)
    visits: list[uuid.UUID] = field(default_factory=list)
    screenings: list[uuid.UUID] = field(default_factory=list)
    postponed: list[uuid.UUID] = field(default_factory=list)  # screening ids with a not-done Immunization
    doses: list[uuid.UUID] = field(default_factory=list)


def serve(station: Station, clock: FixedClock, codes: list[str], fever: set[str] = frozenset()) -> Served:  # type: ignore[assignment]
    """Check in, screen and (unless feverish) vaccinate each person: three records each, two for fever."""
    served = Served()
    for code in codes:
        outcome = station.checkin.check_in(code)
        assert outcome.kind == "admitted", outcome
        clock.advance(minutes=1)
        screening = station.clinic.record_screening(outcome.visit_id, FEVER if code in fever else HEALTHY, "Nurse Rina")
        served.visits.append(outcome.visit_id)
        served.screenings.append(screening.id)
        if code in fever:
            served.postponed.append(screening.id)
        else:
            clock.advance(minutes=1)
            dose = station.clinic.record_dose(outcome.visit_id, DoseEntry("SINOVAC", "snv-2107", dt.date(2021, 12, 31),
                                                                           "left deltoid", "dr. Ani"))
            served.doses.append(dose.id)
    with station.ctx.db.read() as s:
        ids = [s.get(Visit, v).registration_id for v in served.visits]  # type: ignore[union-attr]
        served.niks = [s.get(Registration, r).nik for r in ids]  # type: ignore[union-attr]
    return served


def drain_until_settled(drainer: Drainer, timeout: float = 60.0, stop: threading.Event | None = None) -> int:
    """Run the drainer like the app does until nothing is pending; returns how many passes it took."""
    deadline, passes = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        passes += 1
        report = drainer.drain(stop)
        if sync_status(drainer.db, drainer.destination).backlog == 0:
            return passes
        time.sleep(min(report.paused_for, 2.0) if report.paused_for else 0.05)
    raise AssertionError(f"backlog not drained in {timeout} s: {sync_status(drainer.db)}")


def identifier(record_id: uuid.UUID) -> str:
    return f"{RECORD_SYSTEM}|urn:uuid:{record_id}"


def assert_exactly_once_in_order(server: FhirTestServer, served: Served, rejected_visits: set[uuid.UUID] = frozenset(),  # type: ignore[assignment]
                                 resent_visits: set[uuid.UUID] = frozenset()) -> None:  # type: ignore[assignment]
    """Counted on the server: each record once, none lost, each person's records in the order made.

    A rejected visit's check-in is not there; a resent one arrives once, after its person's later records.
    """
    for nik in served.niks:
        assert server.count("Patient", identifier=f"{NIK}|{nik}") == 1, nik
    for visit, screening in zip(served.visits, served.screenings):
        if visit in rejected_visits:
            continue
        encounters = server.search("Encounter", identifier=identifier(visit))
        responses = server.search("Observation", identifier=identifier(screening))
        assert len(encounters) == 1 and len(responses) == 1, (visit, len(encounters), len(responses))
        later = [responses[0]]
        immunizations = server.search("Immunization", identifier=identifier(screening))
        assert len(immunizations) == (1 if screening in served.postponed else 0)
        later += immunizations
        assert all(r["subject" if r["resourceType"] == "Observation" else "patient"]["reference"] ==
                   encounters[0]["subject"]["reference"] for r in later)
        stamps = [encounters[0]["meta"]["lastUpdated"]] + [r["meta"]["lastUpdated"] for r in later]
        assert stamps == sorted(stamps) or visit in resent_visits, stamps
    for dose in served.doses:
        found = server.search("Immunization", identifier=identifier(dose))
        assert len(found) == 1 and found[0]["status"] == "completed", dose


def dose_after_screening(server: FhirTestServer, station: Station, served: Served) -> None:
    """The dose reached the server after that visit's screening (per-person order, across record kinds)."""
    with station.ctx.db.read() as s:
        for dose_id in served.doses:
            dose = s.get(Vaccination, dose_id)
            screening = s.exec(select(Screening).where(col(Screening.visit_id) == dose.visit_id)).one()  # type: ignore[union-attr]
            response = server.search("Observation", identifier=identifier(screening.id))[0]
            immunization = server.search("Immunization", identifier=identifier(dose_id))[0]
            assert response["meta"]["lastUpdated"] <= immunization["meta"]["lastUpdated"]


def local_states(station: Station) -> dict[str, int]:
    with station.ctx.db.read() as s:
        rows = s.exec(select(OutboxRow.state)).all()
    counts: dict[str, int] = {}
    for state in rows:
        counts[state] = counts.get(state, 0) + 1
    return counts
