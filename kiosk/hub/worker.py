"""A venue station's background duty: keep its lease, pull the venue's lists, send its records to the hub.

One ``step`` is: renew the lease (report what was spent, adopt what the hub says we hold), refill
below the low-water mark, pull new registrations and doses, and drain the ``hub`` outbox. The app
runs it every ``hub.poll_seconds`` in a worker thread; tests and ``kiosk hub sync`` call it directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kiosk.bootstrap import Station
from kiosk.errors import ConfigError
from kiosk.hub.admin import VenueStatus, conflicts, venue_status
from kiosk.hub.link import HubLink
from kiosk.hub.quota import VenueQuota
from kiosk.hub.replica import HubServer, pull_quietly
from kiosk.i18n import _
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.port import DrainReport
from kiosk.sync.records import Venue

log = logging.getLogger("kiosk.hub")


@dataclass
class HubReport:
    """What one step did, for the staff desk."""

    online: bool
    held: int = 0  # slots this station can still spend (cut off: within its offline allowance)
    venue_free: int | None = None
    pulled: tuple[int, int] = (0, 0)
    sent: DrainReport | None = None
    error: str = ""
    venue: VenueStatus | None = None  # the venue's numbers and a line per station (when the hub answered)
    conflicts: list[Any] = field(default_factory=list)

    def line(self) -> str:
        """One line for the staff desk."""
        if not self.online or self.venue is None:
            return _("Hub out of reach: {held} slot(s) left on this station", held=self.held)
        v = self.venue
        text = _("Venue: cap {cap} · used {used} · free {free} · passes {passes} · turned away {turned_away} · this station {held}",
                 cap=v.cap, used=v.used, free=v.free, passes=v.held_for_passes, turned_away=v.turned_away, held=self.held)
        if v.conflicts:
            text += " · " + _("{count} conflict(s)", count=v.conflicts)
        return text


class HubWorker:
    """Renews, refills, pulls and sends for one venue station."""

    def __init__(self, station: Station) -> None:
        venue = station.checkin.venue
        link = station.ctx.hub
        if venue is None or link is None:
            raise ConfigError(_("hub.url is not set: this station is not part of a venue hub"))
        self.station = station
        self.venue: VenueQuota = venue
        self.link: HubLink = link
        settings = station.settings
        self.server = HubServer(settings.hub.url, settings.venue.time_zone, settings.hub.connect_timeout_seconds,
                                station.ctx.products)
        self.drainer = Drainer(station.ctx.db, self.server, Venue(settings.venue.code, settings.venue.name, settings.station.id),
                               destination="hub", batch_size=200, lease_seconds=60, backoff=Backoff(1.0, 30.0),
                               now=station.ctx.clock.now)
        self._started = False
        self._was_online: bool | None = None

    def start(self) -> None:
        """Before the first check-in: give back claims of check-ins that never committed here."""
        self.venue.reconcile_claims(self.station.ctx.clock.today())
        self._started = True

    def step(self, send: bool = True, status: bool = False) -> HubReport:
        """One round of the duty; ``status`` also reads the venue's numbers and conflicts (for a screen that shows them)."""
        clock = self.station.ctx.clock
        if not self._started:
            self.start()
        if not self.link.online or self.link.last_contact is None:
            self.link.probe()
        answer = self.venue.tick(clock.today(), clock.now())
        pulled = pull_quietly(self.station.ctx.db, self.link, self.link.station_id) if self.link.online else None
        sent = self.drainer.drain() if send and self.link.online else None
        with self.station.ctx.db.read() as session:
            held = self.venue.free(session, clock.today())
        venue, listed = None, []
        if status and self.link.online and answer is not None:
            try:
                venue, listed = venue_status(self.link.engine, clock.today()), conflicts(self.link.engine)
            except SQLAlchemyError:
                venue = None
        online = self.link.online and answer is not None
        if online != self._was_online:
            if online:
                log.info("hub reachable: %d slots held here", held)
            else:
                log.warning("hub out of reach (%s): %d slots left on this station", self.link.last_error or "no answer", held)
            self._was_online = online
        return HubReport(online=online, held=held,
                         venue_free=answer.free if answer is not None else None, pulled=pulled or (0, 0), sent=sent,
                         error="" if self.link.online else self.link.last_error, venue=venue, conflicts=listed)

    def run(self, stop: threading.Event, poll_seconds: float, on_report: Callable[[HubReport], None] | None = None) -> None:
        """Step until ``stop`` is set; on the way out, give the unused slots back to the venue."""
        try:
            while not stop.is_set():
                try:
                    report = self.step(status=on_report is not None)
                except Exception as exc:  # noqa: BLE001 - a full disk must not end the station's hub duty
                    report = HubReport(online=False, error=f"hub duty paused: {exc}")
                if on_report is not None:
                    on_report(report)
                stop.wait(poll_seconds)
        finally:
            self.close()

    def close(self) -> None:
        """Give back what this station holds of today, release the sending lease, close connections."""
        try:
            self.venue.give_back(self.station.ctx.clock.today())
        finally:
            self.drainer.release()
            self.server.close()
