"""The world around the stations: the national server, the printers, the people (all simulated)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import FixedClock
from kiosk.i18n import _
from kiosk.ports import DeviceError, PrinterState, Slip
from kiosk.simulate.scenario import Scenario
from kiosk.sync.port import Ack, Certificate, SyncRecord, TransientFailure


class NationalServer:
    """The national server as the stations meet it: records kept once by id, certificates for what it has,
    and down (refusing connections) inside the scenario's outage windows."""

    name = "pcare-sim"

    def __init__(self, clock: FixedClock, outages: list[tuple[dt.datetime, dt.datetime]]) -> None:
        self.clock, self.outages = clock, outages
        self.records: dict[str, str] = {}  # record id -> topic
        self.deliveries = Counter[str]()  # record id -> times it was sent (a retry after a lost answer counts)
        self.refused_while_down = 0

    def down(self) -> bool:
        now = self.clock.now()
        return any(start <= now < end for start, end in self.outages)

    def send(self, record: SyncRecord) -> Ack:
        if self.down():
            self.refused_while_down += 1
            raise TransientFailure(_("PCare: connection refused (simulated outage)"))
        key = str(record.row_id)  # the outbox row's id: the record's identity on the server, every retry the same
        self.deliveries[key] += 1
        self.records.setdefault(key, record.topic)
        return Ack(server_ids=(f"pcare-{key[:8]}",))

    def certificate(self, record: SyncRecord) -> Certificate:
        from kiosk.states import CertificateStatus

        if self.down():
            return Certificate(CertificateStatus.UNREACHABLE)
        if str(record.row_id) in self.records:
            return Certificate(CertificateStatus.ISSUED, certificate_id=f"CERT-{str(record.row_id)[:8]}")
        return Certificate(CertificateStatus.NOT_YET)

    def close(self) -> None:
        pass


class SimPrinter:
    """A thermal printer that runs out of paper (and has its cover opened) at the scenario's rate, until a
    person fixes it ``fix`` later; slips are taken whole or not at all, as the real one."""

    def __init__(self, clock: FixedClock, rng: random.Random, paper_out: float, cover_open: float,
                 fix: dt.timedelta) -> None:
        self.clock, self.rng, self.paper_out, self.cover_open, self.fix = clock, rng, paper_out, cover_open, fix
        self.state, self.until = PrinterState.READY, dt.datetime.min.replace(tzinfo=dt.UTC)
        self.printed: list[str] = []
        self.faults = 0

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def status(self) -> PrinterState:
        if self.state is not PrinterState.READY and self.clock.now() >= self.until:
            self.state = PrinterState.READY  # a roll loaded, the cover shut
        return self.state

    def print_slip(self, slip: Slip) -> None:
        if self.status() is not PrinterState.READY:
            raise DeviceError(_("printer {state}", state=self.state.words))
        roll = self.rng.random()
        if roll < self.paper_out + self.cover_open:
            self.state = PrinterState.PAPER_OUT if roll < self.paper_out else PrinterState.COVER_OPEN
            self.until, self.faults = self.clock.now() + self.fix, self.faults + 1
            raise DeviceError(_("printer {state}", state=self.state.words))
        self.printed.append(slip.kind)


@dataclass
class Person:
    code: str
    nik: str
    name: str
    born: dt.date
    sex: str
    walkin: bool = False


def people(s: Scenario, rng: random.Random) -> list[Person]:
    """Enough registered people and walk-ins for the whole run, with valid NIKs (Karawang's region, 32.15.01)."""
    total = sum(s.arrivals) + sum(s.walkins) + 10
    people = []
    for i in range(total):
        born = dt.date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))
        female = rng.random() < 0.5
        day = born.day + (40 if female else 0)
        nik = f"321501{day:02d}{born.month:02d}{born.year % 100:02d}{i % 10000:04d}"
        people.append(Person(f"SIM-{i:06d}", nik, f"Person {i}", born, "F" if female else "M"))
    registered = sum(s.arrivals) + 10
    for person in people[registered:]:
        person.walkin = True
    return people


def write_people(path: Path, people: list[Person]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nik", "name", "birth_date", "sex", "phone", "registration_code", "appointment_date", "session"])
        for p in people:
            writer.writerow([p.nik, p.name, p.born.isoformat(), p.sex, "", p.code, "", ""])
