"""A scenario: what a venue plans and what the world does to it (a TOML file; kiosk/data/scenarios/)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError
from kiosk.i18n import _

SCENARIOS = Path(__file__).parents[1] / "data" / "scenarios"
CHECKIN_SECONDS = 20.0  # scanning and reading the result at a station


@dataclass
class Scenario:
    """What a venue plans and what the world does to it (a TOML file; see kiosk/data/scenarios/)."""

    name: str
    first_day: dt.date
    days: int
    stock: int
    stations: int = 2
    desks: int = 4
    desk_per_hour: float = 20.0
    checkin_seconds: float = CHECKIN_SECONDS
    opens: int = 8
    closes: int = 14
    time_zone: str = "Asia/Jakarta"
    arrivals: list[int] = field(default_factory=list)  # registered people who mean to come, per day
    show_up: float = 1.0
    walkins: list[int] = field(default_factory=list)  # walk-ins per day
    curve: list[float] = field(default_factory=list)  # relative arrivals per opening hour
    outcomes: dict[str, float] = field(default_factory=lambda: {"proceed": 1.0})
    paper_out: float = 0.0  # chance a slip finds the printer out of paper
    paper_fix_minutes: float = 10.0  # until someone loads a roll
    cover_open: float = 0.0
    outages: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # the national server down
    walkin_share: float = 0.1
    seed: int = 2021
    broken: str = ""  # "raised_cap": one station off the hub with a cap of its own (the checks must catch it)

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.days - 1)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file, or the name of a bundled one ("karawang-2021")."""
    given = Path(path)
    if not given.exists() and (SCENARIOS / f"{path}.toml").exists():
        given = SCENARIOS / f"{path}.toml"
    try:
        raw = tomllib.loads(given.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KioskError(_("no scenario {path} (bundled: {names})", path=path,
                           names=", ".join(p.stem for p in sorted(SCENARIOS.glob("*.toml"))))) from None
    except tomllib.TOMLDecodeError as exc:
        raise KioskError(_("{path}: not TOML: {exc}", path=given, exc=exc)) from None
    zone = ZoneInfo(raw.get("time_zone", "Asia/Jakarta"))
    outages = [(_at(o["from"], zone), _at(o["to"], zone)) for o in raw.pop("outages", [])]
    known = set(Scenario.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise KioskError(_("{path}: unknown key(s) {keys}", path=given, keys=", ".join(unknown)))
    try:
        scenario = Scenario(**raw, outages=outages)
    except TypeError as exc:
        raise KioskError(_("{path}: {exc}", path=given, exc=exc)) from None
    for key in ("arrivals", "walkins"):
        values = getattr(scenario, key)
        if values and len(values) != scenario.days:
            raise KioskError(_("{path}: {key} has {count} day(s), the scenario {days}", path=given, key=key,
                               count=len(values), days=scenario.days))
    if not scenario.curve:
        scenario.curve = [1.0] * (scenario.closes - scenario.opens)
    if len(scenario.curve) != scenario.closes - scenario.opens:
        raise KioskError(_("{path}: curve needs one weight per opening hour ({hours})", path=given,
                           hours=scenario.closes - scenario.opens))
    return scenario


def _at(value: Any, zone: ZoneInfo) -> dt.datetime:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=zone)
