"""Station self-checks a technician runs: database, migrations, clock, key, print queue."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kiosk.i18n import N_, _, number
from kiosk.storage import migrate

if TYPE_CHECKING:
    from kiosk.config import Settings
    from kiosk.services.context import StationContext
    from kiosk.services.printing import PrintQueue
    from kiosk.services.sync_desk import SyncDesk


class Station(Protocol):
    """What the checks read of a station (kiosk.bootstrap.Station is one; this module sits below it)."""

    settings: Settings
    ctx: StationContext
    printing: PrintQueue
    sync: SyncDesk


@dataclass(frozen=True)
class Check:
    """One diagnostic line: the measured fact, and when it is a problem, what to do about it."""

    part: str
    ok: bool
    detail: str
    action: str = ""

    @property
    def part_words(self) -> str:
        """The part's name in the current language (``part`` stays the stable key of ``--json``)."""
        return _(PARTS.get(self.part, self.part))

    def as_dict(self) -> dict[str, object]:
        return {"part": self.part, "ok": self.ok, "detail": self.detail, "action": "" if self.ok else self.action}


PARTS = {"database": N_("database"), "disk": N_("disk"), "clock": N_("clock"), "print queue": N_("print queue"),
         "venue key": N_("venue key"), "sync": N_("sync"), "venue hub": N_("venue hub"), "camera": N_("camera"),
         "decoder": N_("decoder"), "printer": N_("printer"), "scanner": N_("scanner"), "software": N_("software"), "sound": N_("sound"),
         "config": N_("config"), "ektp": N_("e-KTP reader")}
ACTIONS = {
    "database": N_("check the data folder: free disk space, its owner and permissions (kiosk db upgrade says more)"),
    "clock": N_("set the station's date and time (timedatectl) or the plan's first_day/last_day in [quota]"),
    "print queue": N_("fix what the printer reports (paper, cover, cable); waiting slips then print by themselves"),
    "venue key": N_("restore venue-key.pem from the station's backup (a new key would make issued cards unverifiable)"),
    "sync": N_("see `kiosk sync attention` for refused records and `kiosk sync status` for the last error"),
    "venue hub": N_("check the LAN cable, hub.url (host, role, password, sslmode) and `kiosk hub add-station` on the hub"),
    "camera": N_("plug the camera in, or close the program that holds it, then check devices.camera"),
    "decoder": N_("install the missing decoder's library (libzbar0 for pyzbar) or remove it from devices.decoders"),
    "printer": N_("load paper, close the cover, check the printer's power and cable (devices.printer_url)"),
    "disk": N_("free disk space: remove old backups or logs from the data disk (a check-in needs room to be written)"),
    "config": N_("change what is named in the config file, then restart (`sentra config check` says each fix)"),
}
LOW_DISK_BYTES = 200 * 1024 * 1024  # a day's records are a few MB; below this the station warns before it fails
CLOCK_OFFSET_S = 120.0


def with_action(check: Check) -> Check:
    """The check with what to do when it failed (the parts' standard advice)."""
    if check.ok or check.action:
        return check
    return Check(check.part, check.ok, check.detail, _(ACTIONS.get(check.part, N_("see the technician's guide"))))


def station_checks(station: Station, slow: bool = True) -> list[Check]:
    """The station's own checks; ``slow`` adds what may take seconds (the database's integrity, timedatectl,
    the central server's clock and a request with our credentials), which a screen runs in a worker."""
    asks_server = slow and station.settings.sync.server != "none"
    checks = [_database(station.ctx, integrity=slow), _disk(station.settings),
              _clock(station.ctx, clock_synchronised() if slow else None, server_offset(station.settings) if slow else None),
              _printing(station), _key(station), _sync(station, central_reach(station.settings) if asks_server else None),
              _software(), _config(station.settings)]
    if station.ctx.hub is not None:
        checks.append(_hub(station))
    return [with_action(c) for c in checks]


def _hub(station: Station) -> Check:
    """A venue station: can it reach its hub, and as which station (a wrong role or password says so)."""
    from kiosk.hub.link import HubRefused, HubUnavailable

    link = station.ctx.hub
    assert link is not None
    where = link.engine.url.render_as_string(hide_password=True)
    try:
        me = link.run("SELECT sentra_my_station() AS me")[0].me if link.probe() else None
    except (HubUnavailable, HubRefused) as exc:
        return Check("venue hub", False, f"{where}: {exc}")
    if me is None:
        why = link.last_error or _("the role is not station {id}'s (kiosk hub add-station {id})", id=link.station_id)
        return Check("venue hub", False, f"{where}: {why}")
    return Check("venue hub", me == link.station_id, _("{where}: reached as station {me}", where=where, me=me))


def _database(ctx: StationContext, integrity: bool = True) -> Check:
    engine = ctx.db.engine
    where = engine.url.render_as_string(hide_password=True)
    verdict, wal = "ok" if integrity else _("not checked"), ""
    try:
        revision = migrate.current_revision(engine)
        with engine.connect() as conn:
            mode = conn.execute(text("PRAGMA journal_mode")).scalar() if engine.dialect.name == "sqlite" else "-"
            if engine.dialect.name == "sqlite":
                if integrity:
                    verdict = str(conn.execute(text("PRAGMA quick_check")).scalar())
                wal_file = Path(f"{engine.url.database}-wal")
                wal = f", WAL {wal_file.stat().st_size / 1e6:.1f} MB" if wal_file.exists() else ""
    except SQLAlchemyError as exc:
        return Check("database", False, f"{where}: {exc}")
    if verdict not in ("ok", _("not checked")):
        return Check("database", False, _("{where}: integrity check says {verdict}", where=where, verdict=verdict),
                     _("stop the station, copy the data folder aside, restore the newest backup (README, Backups)"))
    detail = _("{where} rev {revision}, journal {mode}{wal}, integrity {verdict}", where=where, revision=revision, mode=mode,
               wal=wal, verdict=verdict)
    return Check("database", revision is not None, detail)


def _disk(settings: Settings) -> Check:
    """Free space where the station writes its records."""
    try:
        usage = shutil.disk_usage(settings.data_dir)
    except OSError as exc:
        return Check("disk", False, f"{settings.data_dir}: {exc.strerror}")
    free_mb = usage.free / 1e6
    return Check("disk", usage.free >= LOW_DISK_BYTES, _("{folder}: {free} MB free of {total} GB", folder=settings.data_dir,
                                                                free=number(round(free_mb)), total=number(round(usage.total / 1e9, 1))))


def _software() -> Check:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("sentra-kiosk")
    except PackageNotFoundError:
        mine = _("(not installed)")
    return Check("software", True, f"sentra-kiosk {mine}, Python {platform.python_version()}, textual {version('textual')}")


def _config(settings: Settings) -> Check:
    from kiosk import readiness
    from kiosk.config import CONFIG_ENV, DEFAULT_CONFIG

    source = os.environ.get(CONFIG_ENV) or str(DEFAULT_CONFIG)
    if settings.station.trial:
        return Check("config", True, _("{source}: a trial station (fake devices and example PINs allowed)", source=source))
    found = readiness.problems(settings)
    return Check("config", not found, f"{source}: " + ("; ".join(found) if found else _("ready for a live station")))


def server_offset(settings: Settings, timeout: float = 3.0) -> float | None:
    """Seconds this clock is ahead of the central server's (its HTTP ``Date``), or None when it cannot be asked."""
    if settings.sync.server == "none" or not settings.sync.url:
        return None
    import email.utils

    import httpx

    try:
        sent = dt.datetime.now(dt.UTC)
        answer = httpx.head(settings.sync.url, timeout=timeout, follow_redirects=False)
        back = dt.datetime.now(dt.UTC)
        stamp = answer.headers.get("date")
        if not stamp:
            return None
        server = email.utils.parsedate_to_datetime(stamp)
    except (httpx.HTTPError, ValueError, TypeError):
        return None
    middle = sent + (back - sent) / 2
    return (middle - server).total_seconds()


SYNCED_FLAG = Path("/run/systemd/timesync/synchronized")


def clock_synchronised() -> bool | None:
    """Whether the system clock is synchronised over the network (timedatectl), None when nothing can say."""
    timedatectl = shutil.which("timedatectl")
    if timedatectl is not None:
        try:
            answer = subprocess.run([timedatectl, "show", "--property=NTPSynchronized", "--value"],
                                    capture_output=True, text=True, timeout=3)
            if answer.returncode == 0 and answer.stdout.strip() in ("yes", "no"):
                return answer.stdout.strip() == "yes"
        except (OSError, subprocess.TimeoutExpired):
            pass
    return True if SYNCED_FLAG.exists() else None


def newest_record(ctx: StationContext) -> dt.datetime | None:
    """When the newest row of the audit chain was written (every admission, dose and card writes one)."""
    with ctx.db.engine.connect() as conn:
        value = conn.execute(text("SELECT max(at) FROM auditentry")).scalar()
    if value is None:
        return None
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _clock(ctx: StationContext, synchronised: bool | None = None, offset: float | None = None) -> Check:
    now = ctx.clock.now()
    local = ctx.clock.local(now)
    in_plan = ctx.plan.first_day <= local.date() <= ctx.plan.last_day
    sync = {True: _("synchronised"), False: _("NOT synchronised (no time server reached)"), None: _("synchronisation unknown")}[synchronised]
    against = "" if offset is None else _(", {offset:+.0f} s from the central server", offset=offset)
    detail = _("{now:%Y-%m-%d %H:%M %Z}, {sync}{against}; plan {first}..{last}", now=local, sync=sync, against=against,
               first=ctx.plan.first_day, last=ctx.plan.last_day)
    if offset is not None and abs(offset) > CLOCK_OFFSET_S:
        return Check("clock", False, detail + _(" — more than {limit:.0f} s off the central server's time", limit=CLOCK_OFFSET_S),
                     _("set the date and time (timedatectl set-ntp true, or timedatectl set-time), then restart"))
    try:
        newest = newest_record(ctx)
    except SQLAlchemyError:
        newest = None
    if newest is not None and now < newest - dt.timedelta(minutes=1):
        return Check("clock", False, detail + _(" — the clock is behind the newest record ({newest:%Y-%m-%d %H:%M}): records would be out of order "
                                              "and the wrong day's quota used", newest=ctx.clock.local(newest)),
                     _("set the date and time (timedatectl set-time, or enable time sync: timedatectl set-ntp true), then restart"))
    if not in_plan:
        return Check("clock", False, detail + _(" — today is outside the dose plan"))
    return Check("clock", True, detail)


def _printing(station: Station) -> Check:
    waiting = station.printing.outstanding()
    failing = [job for job in waiting if job.last_error]
    detail = _("{count} slip(s) waiting", count=len(waiting)) + (_("; last error: {error}", error=_(failing[0].last_error)) if failing else "")
    return Check("print queue", not failing, detail)


def _key(station: Station) -> Check:
    path = station.settings.venue_key_path
    return Check("venue key", path.exists(), f"{path} ({station.ctx.keys.venue})")


def central_reach(settings: Settings) -> tuple[bool, str]:
    """Ask the central server once, with the station's credentials (an OAuth2 token is fetched): (ok, what)."""
    from kiosk.sync.http import HttpClient
    from kiosk.sync.port import AuthFailure, PermanentFailure, TransientFailure

    fhir = settings.sync.server == "fhir"
    url = settings.sync.url.rstrip("/") + ("/Patient" if fhir else "")
    client = HttpClient(settings.sync)
    try:  # FHIR: a search that returns no one (_count=0), yet is answered only with valid credentials
        client.request("GET", url, params={"_count": "0"} if fhir else None)
    except AuthFailure as exc:
        return False, str(exc)
    except TransientFailure as exc:
        return False, _("not reachable: {why}", why=exc)
    except PermanentFailure:
        pass  # it answered (a 404 or 405 for a plain GET): reached, and our credentials were not refused
    finally:
        client.close()
    return True, _("reachable, credentials accepted")


def _sync(station: Station, reach: tuple[bool, str] | None = None) -> Check:
    status = station.sync.status()
    configured = station.settings.sync.server != "none"
    where = station.settings.sync.url if configured else _("not configured")
    detail = _("{where}: {backlog} waiting, {attention} need attention", where=where, backlog=status.backlog,
               attention=status.needs_attention)
    age = status.oldest_age(station.ctx.clock.now())
    if age is not None:
        detail += _(", the oldest for {minutes} min", minutes=int(age.total_seconds() // 60))
    if reach is not None:
        detail += f"; {reach[1]}"
    if status.last_error and (status.backlog or status.needs_attention):
        detail += _("; last error: {error}", error=status.last_error)
    ok = status.needs_attention == 0 and not (status.backlog and status.last_error) and (reach is None or reach[0])
    return Check("sync", ok, detail)
