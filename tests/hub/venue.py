"""Building venue stations in tests: each its own SQLite file, all on one real hub."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kiosk.bootstrap import Station, build_station
from kiosk.clock import FixedClock
from kiosk.config import Settings
from kiosk.hub import admin
from kiosk.hub.worker import HubWorker
from tests.conftest import _fixed_venue_key, settings_values
from tests.pg import PgCluster

STATION_PASSWORD = "station-password-1"


def venue_settings(folder: Path, cluster: PgCluster, station_id: str, port: int | None = None, **hub: Any) -> Settings:
    """A station of the test venue: its own data folder, the hub as its own role (through ``port`` if given)."""
    role = admin.add_station(cluster.url(), station_id, STATION_PASSWORD)
    values = settings_values(folder / station_id)
    values["station"] = {"id": station_id, "name": station_id}
    values["hub"] = {"url": cluster.url(role, STATION_PASSWORD, port), "poll_seconds": 1, **hub}
    return Settings(**values)


def venue_station(folder: Path, cluster: PgCluster, station_id: str, clock: FixedClock, port: int | None = None,
                  **hub: Any) -> Station:
    settings = venue_settings(folder, cluster, station_id, port, **hub)
    _fixed_venue_key(settings.venue_key_path)
    return build_station(settings, clock=clock)


def sync(*stations: Station) -> None:
    """Each station renews, pulls and sends once (what the app's hub worker does every few seconds)."""
    for station in stations:
        worker = HubWorker(station)
        try:
            worker.step()
        finally:
            worker.drainer.release()
            worker.server.close()


def karawang_plan_loaded(cluster: PgCluster, stock: int = 2000, first: dt.date = dt.date(2021, 8, 5), days: int = 5,
                         walkin: float = 0.0) -> None:
    from kiosk.domain.quota import QuotaPlan

    admin.init(cluster.url(), QuotaPlan(stock=stock, first_day=first, last_day=first + dt.timedelta(days=days - 1),
                                        walkin_share=walkin))
