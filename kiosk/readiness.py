"""Is this configuration fit for a live venue? The example PINs, a fake device or a plan that has ended are not.

`deploy/install.sh` copies `deploy/kiosk.example.toml` to `/etc/sentra/kiosk.toml`; a station started
on it unchanged would take anyone's "1234" as staff, check people in against a 2021 plan and print
every slip into a folder. `kiosk` (run) refuses to start and `kiosk config check` fails while any of
that is true, each problem with what to change. A demo, a training desk or a test sets
``station.trial = true`` and is allowed all three.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kiosk.config import Settings
from kiosk.i18n import _
from kiosk.pins import check_pin

# The hashes in deploy/kiosk.example.toml (of "1234" and "9999"); tests/unit/test_readiness.py keeps
# this list and the file in step.
EXAMPLE_PIN_HASHES = frozenset({
    "pbkdf2_sha256$200000$2c24bd293d440db324adfb05efe35aec$fcb3824b72361a6c301ce38640228d32567ca82ec16179ce35bb2766827b752a",
    "pbkdf2_sha256$200000$ebffaf322eeea93539d351851f44f8ba$4e872891bb04e086c967449ec246e98486b126ed81204cc99ace070471c1e509",
})
# The PINs the README and the demo print for everyone to read.
PUBLISHED_PINS = ("1234", "9999")


def _pin_entries(settings: Settings) -> list[tuple[str, str]]:
    pins = settings.pins
    return [("pins.staff", pins.staff), ("pins.technician", pins.technician),
            *((f"pins.people ({p.name})", p.hash) for p in pins.people)]


def problems(settings: Settings, *, thorough: bool = False) -> list[str]:
    """What keeps this config from running a live station, each with the fix; empty when it is ready.

    ``thorough`` also tries the published PINs against every hash (about 0.1 s each: `config check`
    does, the station's start only compares with the example file's hashes).
    """
    if settings.station.trial:
        return []
    found: list[str] = []
    for key, stored in _pin_entries(settings):
        published = stored in EXAMPLE_PIN_HASHES or (thorough and any(check_pin(pin, stored) for pin in PUBLISHED_PINS))
        if published:
            role = key.split(".")[1].split(" ")[0]
            fix = (_("set the venue's own with `sentra pin set {role}`", role=role) if role in ("staff", "technician")
                   else _("set it again with `sentra pin set NAME --role ROLE`"))
            found.append(_("{key} is a published example PIN: {fix}", key=key, fix=fix))
    devices = settings.devices
    if devices.camera == "folder":
        found.append(_('devices.camera = "folder" is the demo\'s fake camera: use "opencv" (a webcam, camera_source = "0") '
                       'or "none" (keypad and scanner only)'))
    if devices.printer_url.startswith("preview://"):
        found.append(_("devices.printer_url = preview:// writes slips to files, not paper: use usb://VENDOR:PRODUCT, "
                       "tcp://HOST:9100, serial:///dev/ttyUSB0 or file:///dev/usb/lp0"))
    today = dt.datetime.now(ZoneInfo(settings.venue.time_zone)).date()
    if settings.quota.last_day < today:
        found.append(_("quota: the dose plan ended on {day}: set first_day, last_day and stock for the days this venue opens",
                       day=settings.quota.last_day.isoformat()))
    return found


def explain(settings: Settings, problems_found: list[str], source: str) -> str:
    """The one message a technician reads when the station refuses to start."""
    lines = "; ".join(problems_found)
    return _("{source} is not ready for a live station: {problems} (a demo or training desk may set station.trial = true)",
             source=source, problems=lines)
