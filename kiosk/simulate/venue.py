"""The stations of one run, each on its own SQLite file, on one hub; and what desks do at them."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import uuid
from pathlib import Path
from typing import Any

from kiosk.bootstrap import Station, build_station
from kiosk.clock import FixedClock
from kiosk.config import Settings
from kiosk.domain.screening import Outcome, ScreeningAnswers
from kiosk.ports import PrinterState
from kiosk.services.clinic import DoseEntry
from kiosk.simulate.scenario import Scenario
from kiosk.simulate.world import NationalServer, Person, SimPrinter, write_people


class Venue:
    """The stations of one run, their hub, the national server, and the people."""

    def __init__(self, scenario: Scenario, folder: Path, hub_url: str | None) -> None:
        self.s, self.folder, self.hub_url = scenario, folder, hub_url
        self.rng = random.Random(scenario.seed)
        opening = dt.datetime.combine(scenario.first_day, dt.time(scenario.opens), scenario.zone)
        self.clock = FixedClock(scenario.zone, instant=opening.astimezone(dt.UTC))  # type: ignore[arg-type]
        self.server = NationalServer(self.clock, scenario.outages)
        self.stations: list[Station] = []
        self.printers: list[SimPrinter] = []
        self.drainers: list[Any] = []
        self.workers: list[Any] = []

    # ------------------------------------------------------------------ set-up
    def build(self, people: list[Person]) -> None:
        from kiosk.domain.quota import QuotaPlan
        from kiosk.hub import admin
        from kiosk.sync.drainer import Backoff, Drainer
        from kiosk.sync.records import Venue as Sender

        s = self.s
        csv_path = self.folder / "registrations.csv"
        write_people(csv_path, [p for p in people if not p.walkin])
        if self.hub_url:
            admin.init(self.hub_url, QuotaPlan(stock=s.stock, first_day=s.first_day, last_day=s.last_day,
                                               walkin_share=s.walkin_share))
            admin.import_registrations(self.hub_url, csv_path)
        key: Path | None = None
        for n in range(s.stations):
            station_id = f"ST-{n + 1:02d}"
            broken = s.broken == "raised_cap" and n == s.stations - 1
            settings = self._settings(station_id, raised=broken, hub=bool(self.hub_url) and not broken)
            if key is None:
                key = settings.venue_key_path
            elif key.exists():  # one venue, one signing key: a pass from any station is honoured at every one
                settings.venue_key_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(key, settings.venue_key_path)
            station = build_station(settings, clock=self.clock)
            if station.ctx.hub is None:
                station.registrations.import_csv(csv_path)
            self.stations.append(station)
            self.printers.append(SimPrinter(self.clock, random.Random(s.seed + n), s.paper_out, s.cover_open,
                                            dt.timedelta(minutes=s.paper_fix_minutes)))
            self.drainers.append(Drainer(station.ctx.db, self.server, Sender("KRW", "Simulated venue", station_id),
                                         batch_size=100, backoff=Backoff(60.0, 600.0), now=self.clock.now,
                                         rng=self.rng.random))
            if station.ctx.hub is not None:
                from kiosk.hub.worker import HubWorker

                self.workers.append(HubWorker(station))
        self.hub_step()

    def _settings(self, station_id: str, raised: bool, hub: bool) -> Settings:
        from kiosk.hub import admin

        s = self.s
        values: dict[str, Any] = {
            "data_dir": self.folder / station_id, "language": "en",
            "venue": {"name": "Simulated venue", "code": "KRW", "time_zone": s.time_zone, "allow_walkins": True},
            "station": {"id": station_id, "name": station_id, "trial": True},
            "quota": {"stock": s.stock * (2 if raised else 1), "first_day": s.first_day, "last_day": s.last_day,
                      "walkin_share": s.walkin_share},
            "devices": {"camera": "none"}, "sound": {"output": "off"}, "log": {"to": "file", "level": "info"},
        }
        if hub and self.hub_url:
            password = f"sim-{uuid.uuid4().hex[:16]}"
            role = admin.add_station(self.hub_url, station_id, password)
            owner = self.hub_url.split("://", 1)[1].split("@", 1)[1]
            values["hub"] = {"url": f"postgresql+psycopg://{role}:{password}@{owner}", "poll_seconds": 5}
        from kiosk.pins import hash_pin

        values["pins"] = {"staff": hash_pin("482916", iterations=1000), "technician": hash_pin("739105", iterations=1000)}
        return Settings(**values)

    # ------------------------------------------------------------------ duties
    def hub_step(self) -> None:
        for worker in self.workers:
            worker.step()

    def send(self) -> int:
        for drainer in self.drainers:
            drainer.drain()
        return sum(st.sync.status().backlog for st in self.stations)

    def print_waiting(self) -> None:
        for station, printer in zip(self.stations, self.printers):
            if station.printing.pending() and printer.status() is PrinterState.READY:
                station.printing.run_pending(printer)

    def close(self) -> None:
        for drainer in self.drainers:
            drainer.release()
        for worker in self.workers:
            worker.drainer.release()
            worker.server.close()
        for station in self.stations:
            station.close()


def check_in(station: Station, person: Person, payload: str) -> Any:
    if payload:
        return station.checkin.check_in(payload)
    if person.walkin:
        from kiosk.services.registrations import PersonDetails

        registration = station.registrations.register_walkin(
            PersonDetails(person.nik, person.name, person.born, person.sex), "simulator")
        return station.checkin.check_in_registration(registration.id)
    return station.checkin.check_in(person.code)


def pass_payload(station: Station, pass_id: Any) -> str:
    from kiosk.storage.tables import PriorityPass

    with station.ctx.db.read() as session:
        found = session.get(PriorityPass, pass_id)
        return found.payload if found is not None else ""


def screen(station: Station, visit_id: Any, s: Scenario, rng: random.Random, kind: str = "") -> str:
    """The screening desk's outcome as the scenario's shares say (or ``kind``), recorded through the real rules; a
    dose and a temporary card for those who proceed."""
    kind = kind or rng.choices(list(s.outcomes), weights=list(s.outcomes.values()))[0]
    clinic = station.clinic
    if kind == "postpone":
        clinic.record_screening(visit_id, ScreeningAnswers(38.3, 120, 80), "Nurse Sim")  # fever: the rules postpone
    elif kind == "refer":
        clinic.record_screening(visit_id, ScreeningAnswers(36.6, 120, 80, {"severe_allergy_before": True}), "Nurse Sim")
    elif kind == "not_given":
        clinic.record_screening(visit_id, ScreeningAnswers(36.6, 120, 80), "Nurse Sim", Outcome.NOT_GIVEN,
                                "simulated: the doctor decided not to give it")
    else:
        clinic.record_screening(visit_id, ScreeningAnswers(36.6, 120, 80), "Nurse Sim")
        clinic.record_dose(visit_id, DoseEntry("SINOVAC", "SNV-2107", dt.date(2021, 12, 31), "left deltoid", "dr. Sim"))
        clinic.issue_card(visit_id)
    return kind


def venue_cap(venue: Venue, day: dt.date) -> int:
    """The venue's cap for ``day``: the hub's when there is one, else the station's own plan."""
    if venue.hub_url:
        from kiosk.hub import admin

        engine = admin.owner_engine(venue.hub_url)
        try:
            return admin.venue_status(engine, day).cap  # what `kiosk hub status` reports
        finally:
            engine.dispose()
    from kiosk.storage.tables import DayQuota

    with venue.stations[0].ctx.db.read() as session:
        row = session.get(DayQuota, day)
        return row.cap if row is not None else 0
