"""The core's composition root: settings in, a ready Station out. Nothing is built at import.

Devices and the Textual app are assembled one layer up (``screens/launch.py``), because the
core imports no device or UI library.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kiosk.clock import Clock, SystemClock
from kiosk.config import Settings
from kiosk.credentials import VenueKeys, load_or_create_venue_key, public_key_from_text
from kiosk.domain.quota import QuotaPlan
from kiosk.domain.screening import load_rule_set
from kiosk.domain.vaccines import load_products
from kiosk.errors import ConfigError
from kiosk.i18n import _
from kiosk.services.access import PinGuard
from kiosk.services.checkin import CheckInService
from kiosk.services.clinic import ClinicService
from kiosk.services.context import StationContext
from kiosk.services.desk import StaffDesk
from kiosk.services.exchange import ExchangeService
from kiosk.services.printing import PrintQueue
from kiosk.services.registrations import RegistrationService
from kiosk.services.sync_desk import SyncDesk
from kiosk.storage import migrate
from kiosk.storage.db import Database, make_engine
from kiosk.sync.records import Venue


@dataclass
class Station:
    """Every core service of one station, sharing one database and clock."""

    settings: Settings
    ctx: StationContext
    checkin: CheckInService
    clinic: ClinicService
    registrations: RegistrationService
    desk: StaffDesk
    printing: PrintQueue
    exchange: ExchangeService
    sync: SyncDesk
    access: PinGuard

    def close(self) -> None:
        """Release the database connections."""
        self.ctx.db.dispose()
        if self.ctx.hub is not None:
            self.ctx.hub.close()


def plan_from(settings: Settings) -> QuotaPlan:
    """The QuotaPlan the settings describe."""
    q = settings.quota
    try:
        return QuotaPlan(stock=q.stock, first_day=q.first_day, last_day=q.last_day, overrides=q.overrides,
                         carry_forward=q.carry_forward, walkin_share=q.walkin_share)
    except ValueError as exc:
        raise ConfigError(_("configuration error: quota: {exc}", exc=exc)) from None


def venue_keys(settings: Settings) -> VenueKeys:
    """The venue's signing key (created on first run) and the trusted venues' public keys."""
    trusted = {code: public_key_from_text(code, text) for code, text in settings.venue.trusted_venues.items()}
    return VenueKeys(settings.venue.code, load_or_create_venue_key(settings.venue_key_path), trusted)


def build_station(settings: Settings, clock: Clock | None = None, upgrade: bool = True) -> Station:
    """Open the database (migrating it), load keys and rules, and wire the services."""
    engine = make_engine(settings.database_url)
    if upgrade:
        migrate.upgrade_or_explain(engine)
    ctx = StationContext(
        db=Database(engine), clock=clock or SystemClock(ZoneInfo(settings.venue.time_zone)),
        plan=plan_from(settings), keys=venue_keys(settings), rules=load_rule_set(), products=load_products(),
        station_id=settings.station.id, venue_name=settings.venue.name, allow_walkins=settings.venue.allow_walkins,
        adverse_event_contact=settings.venue.adverse_event_contact, role=settings.station.role,
        print_queue_tickets=settings.station.print_queue_tickets, appointments=settings.quota.appointments,
    )
    if settings.hub.url:  # a venue station: the hub owns the day's cap, and every record goes there too
        from kiosk.hub.link import HubLink

        hub = settings.hub
        ctx.hub = HubLink(hub.url, settings.station.id, lease_seconds=hub.lease_seconds, offline_slots=hub.offline_slots,
                          connect_timeout=hub.connect_timeout_seconds)
        ctx.hub_block_max, ctx.hub_low_water, ctx.hub_poll_seconds = hub.block_max, hub.low_water, hub.poll_seconds
        ctx.destinations = ("central", "hub")
    printing = PrintQueue(ctx, settings.language)  # interrupted slips are found by the spooler at the station's start
    venue = Venue(settings.venue.code, settings.venue.name, settings.station.id)
    return Station(settings, ctx, CheckInService(ctx), ClinicService(ctx), RegistrationService(ctx),
                   StaffDesk(ctx), printing, ExchangeService(ctx, venue), SyncDesk(ctx), PinGuard(ctx))
