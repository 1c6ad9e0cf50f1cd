"""Build the configured ``CentralServer`` and a drainer for a station."""

from __future__ import annotations

from kiosk.clock import Clock
from kiosk.config import Settings
from kiosk.errors import ConfigError
from kiosk.i18n import _
from kiosk.storage.db import Database
from kiosk.sync.drainer import Backoff, Drainer, utcnow
from kiosk.sync.port import CentralServer
from kiosk.sync.records import Venue


def build_server(settings: Settings) -> CentralServer:
    """The adapter the config names; ``sync.server = "none"`` is an error for callers that need one."""
    sync = settings.sync
    if sync.server == "fhir":
        from kiosk.sync.fhir import FhirServer

        return FhirServer(sync)
    if sync.server == "json":
        from kiosk.sync.jsonapi import JsonServer

        return JsonServer(sync)
    raise ConfigError(_("sync.server is \"none\": set it to \"fhir\" or \"json\" and give sync.url to send records"))


def build_drainer(settings: Settings, db: Database, server: CentralServer | None = None,
                  clock: Clock | None = None) -> Drainer:
    """The station's sender for the configured server; times from the station's clock."""
    sync = settings.sync
    return Drainer(db, server or build_server(settings), Venue(settings.venue.code, settings.venue.name, settings.station.id),
                   batch_size=sync.batch_size, lease_seconds=sync.lease_seconds,
                   backoff=Backoff(sync.retry_base_seconds, sync.retry_cap_seconds),
                   now=clock.now if clock is not None else utcnow)
