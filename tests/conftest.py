"""Shared fixtures: a station on a real SQLite file in a temporary folder, with a fixed clock.

The host's own config never leaks in: KIOSK_* variables are cleared for every test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk import i18n
from kiosk.bootstrap import Station, build_station
from kiosk.clock import FixedClock
from kiosk.config import Settings, load_settings
from kiosk.pins import hash_pin

JAKARTA = ZoneInfo("Asia/Jakarta")
# 5 August 2021, 08:00 in Karawang: the first day of "2,000 doses must last five days".
OPENING = dt.datetime(2021, 8, 5, 8, 0, tzinfo=JAKARTA)
STAFF_PIN, TECH_PIN = "1234", "9999"
_PIN_HASHES = {"staff": hash_pin(STAFF_PIN, iterations=1000), "technician": hash_pin(TECH_PIN, iterations=1000)}
DEMO_CSV = Path(__file__).parents[1] / "kiosk" / "data" / "demo_registrations.csv"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No KIOSK_ variable leaks in; messages outside the station's screens are English (LANGUAGE=en for the CLI's
    processes too) unless a test asks otherwise. The station's screens follow its config (``language``, default id)."""
    for key in list(os.environ):
        if key.startswith("KIOSK_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("LANGUAGE", "en")
    i18n.set_default_language("en")
    yield
    i18n.set_default_language("en")


def settings_values(data_dir: Path, **quota: Any) -> dict[str, Any]:
    """A complete settings dict for a Karawang-like venue."""
    return {
        "data_dir": data_dir,
        "venue": {"name": "Stadion Singaperbangsa", "code": "KRW", "adverse_event_contact": "KIPI 0800-1"},
        "station": {"id": "ST-01", "name": "Gate A", "trial": True},
        "quota": {"stock": 2000, "first_day": dt.date(2021, 8, 5), "last_day": dt.date(2021, 8, 9), **quota},
        "pins": _PIN_HASHES,
        # the e-KTP reader's models take a second of CPU to load: on only in the tests about it (tests/ui/test_ektp_scan.py)
        "devices": {"camera_folder": str(data_dir / "camera"), "printer_url": f"preview://{data_dir / 'slips'}",
                    "read_ektp": False},
        "result_seconds": 2.0,
    }


@pytest.fixture
def clock() -> FixedClock:
    """The venue's clock, standing at 08:00 on 5 August 2021 until a test moves it."""
    return FixedClock(JAKARTA, instant=OPENING.astimezone(dt.UTC))


@pytest.fixture
def make_station(tmp_path: Path, clock: FixedClock) -> Iterator[Callable[..., Station]]:
    """Build a station; keyword arguments override the quota section."""
    built: list[Station] = []

    def make(**quota: Any) -> Station:
        settings = Settings(**settings_values(tmp_path, **quota))
        _fixed_venue_key(settings.venue_key_path)
        station = build_station(settings, clock=clock)
        built.append(station)
        return station

    yield make
    for station in built:
        station.close()


def _fixed_venue_key(path: Path) -> None:
    """The same venue key in every test, so signed QR codes (and snapshots) are repeatable."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not path.exists():
        key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)


@pytest.fixture
def station(make_station: Callable[..., Station]) -> Station:
    """A station with the demo registrations imported."""
    s = make_station()
    report = s.registrations.import_csv(DEMO_CSV)
    assert not report.errors
    return s


def write_config(path: Path, text: str) -> Path:
    """Write a TOML config file for tests of loading and validation."""
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def deterministic_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Card and pass ids in order (snapshots must not change with random ids)."""
    counter = itertools.count(1)
    import kiosk.services.checkin as checkin
    import kiosk.services.clinic as clinic

    fake = lambda length=8: f"{next(counter):0{length}d}"  # noqa: E731
    monkeypatch.setattr(clinic, "new_short_id", fake)
    monkeypatch.setattr(checkin, "new_short_id", fake)


@pytest.fixture
def make_app(station):
    """Build the app; ``camera=False`` leaves the camera out (steady snapshots)."""

    from devices.factory import build_devices
    from screens.app import KioskApp

    def make(camera: bool = True, sound: Any = None) -> KioskApp:
        devices = build_devices(station.settings)
        if not camera:
            devices.camera = None
        return KioskApp(station.settings, station, devices, sound=sound)

    return make


__all__ = ["load_settings", "write_config", "STAFF_PIN", "TECH_PIN", "DEMO_CSV", "OPENING"]


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory: pytest.TempPathFactory):
    """A real FHIR R4 server (sekmet-fhir) on 127.0.0.1 for the whole session, stopped at the end."""
    from tests.fhir_server import FhirTestServer

    server = FhirTestServer(tmp_path_factory.mktemp("fhir")).start()
    yield server
    server.stop()


@pytest.fixture
def proxy(fhir_server):
    """TEST DOUBLE for the network: a loopback proxy in front of the FHIR server that injects faults."""
    from tests.fault_proxy import FaultProxy

    p = FaultProxy(fhir_server.port)
    yield p
    p.close()
