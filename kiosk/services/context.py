"""What every service needs, built once by the composition root (``kiosk.bootstrap``)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.clock import Clock
from kiosk.credentials import VenueKeys
from kiosk.domain.quota import QuotaPlan
from kiosk.domain.screening import RuleSet
from kiosk.domain.vaccines import ProductTable
from kiosk.errors import KioskError
from kiosk.hub.link import HubLink
from kiosk.i18n import _
from kiosk.storage.db import Database


@dataclass
class StationContext:
    """The station's database, clock, plan, keys and rule data."""

    db: Database
    clock: Clock
    plan: QuotaPlan
    keys: VenueKeys
    rules: RuleSet
    products: ProductTable
    station_id: str
    venue_name: str
    allow_walkins: bool = True
    adverse_event_contact: str = ""
    destinations: tuple[str, ...] = ("central",)
    role: str = "all"
    print_queue_tickets: bool = False
    appointments: str = "any_day"  # quota.appointments: any_day | on_or_after | exact
    hub: HubLink | None = None  # a venue station's line to the hub (kiosk.hub); None for a station on its own
    hub_block_max: int = 50
    hub_low_water: int = 5
    hub_poll_seconds: float = 5.0

    def require_role(self, desk: str) -> None:
        """Refuse a step this station's desk does not do (a stadium splits the desks)."""
        if self.role not in ("all", desk):
            raise KioskError(_("this station is the {role} desk; {desk} is done at the {desk} desk", role=self.role, desk=desk))
