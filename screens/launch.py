"""The app's composition root: core station + devices + KioskApp. Heavy imports happen here,
after the CLI has parsed its arguments, so ``kiosk --help`` and admin commands stay fast."""

from __future__ import annotations

from kiosk.bootstrap import build_station
from kiosk.config import Settings


def launch(settings: Settings) -> int:
    """Build everything and run the app until a technician quits it."""
    from devices.factory import build_devices
    from screens.app import KioskApp

    station = build_station(settings)
    try:
        app = KioskApp(station, build_devices(settings))
        return app.run() or 0
    finally:
        station.close()
