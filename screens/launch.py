"""The app's composition root: core station + devices + KioskApp.

Only Textual and the settings are loaded before the first paint; the station and the device
libraries are built by the app in a worker right after (see ``KioskApp.build_station``).
"""

from __future__ import annotations

from typing import Any

from kiosk.config import Settings


def build(settings: Settings) -> tuple[Any, Any]:
    """The station (database migrated, keys and rules loaded) and its devices."""
    from devices.factory import build_devices
    from kiosk.bootstrap import build_station
    from kiosk.configaudit import record_config_change

    devices = build_devices(settings)  # a bad device value fails before the database is touched
    station = build_station(settings)
    record_config_change(station)  # a changed key (the cap, a PIN) is an audit row naming it, never its value
    return station, devices


def launch(settings: Settings) -> int:
    """Run the app until a technician quits it."""
    import logging
    from importlib.metadata import version

    from screens.app import KioskApp

    logging.getLogger("kiosk.app").info("station %s starting (sentra-kiosk %s)", settings.station.id, version("sentra-kiosk"))
    app = KioskApp(settings, builder=lambda: build(settings))
    try:
        app.run()
        return app.return_code or 0  # an unexpected error exits 1, never 0
    finally:
        if app.station is not None:
            app.station.close()
