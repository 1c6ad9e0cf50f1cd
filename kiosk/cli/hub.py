"""`kiosk hub ...`: the venue hub's owner commands, and a station's view of its venue.

Owner commands (upgrade, init, add-station, import) connect with ``--url`` or $SENTRA_HUB_URL as
the hub's owner role; keep the password out of the command line (PGPASSWORD or ~/.pgpass, which
psycopg reads). Station commands (status, conflicts, sync) use the station's ``hub.url``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError, KioskError
from kiosk.i18n import _

URL_ENV = "SENTRA_HUB_URL"


def add_parser(sub: Any) -> None:
    hub = sub.add_parser("hub", help=_("the venue hub (PostgreSQL) shared by the venue's stations"))
    actions = hub.add_subparsers(dest="action", required=True)

    def owner(name: str, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(name, help=help_)
        p.add_argument("--url", help=_("the hub as its owner role (default ${env}); password from PGPASSWORD or ~/.pgpass", env=URL_ENV))
        return p

    owner("upgrade", _("create or update the hub's schema (as the owner role)"))
    owner("init", _("load the venue's dose plan once")).add_argument("--plan", type=Path, required=True,
                                                                   help=_("a station config whose [quota] is the venue's plan"))
    add = owner("add-station", _("create a station's login role (prompts for its password)"))
    add.add_argument("station_id")
    add.add_argument("--password-file", type=Path, help=_("read the password from this file instead of prompting"))
    imp = owner("import", _("import for the whole venue"))
    imp.add_argument("what", choices=["registrations"])
    imp.add_argument("file", type=Path)
    for name, help_ in (("status", _("the venue's numbers today and a line per station")),
                        ("conflicts", _("people admitted or dosed at two stations while one was cut off"))):
        p = owner(name, help_)
        p.add_argument("--json", action="store_true")
        if name == "status":
            p.add_argument("--day", type=dt.date.fromisoformat, help=_("YYYY-MM-DD (default today)"))
    actions.add_parser("sync", help=_("this station: renew its lease, pull the venue's lists, send its records, once"))
    restore = actions.add_parser("restore-station", help=_("rebuild this station's database from the hub after a lost disk"))
    restore.add_argument("--station", required=True, help=_("the station's id (must be this config's station.id)"))


def needs_settings(args: argparse.Namespace) -> bool:
    """Owner commands run without a station config when --url or $SENTRA_HUB_URL says where the hub is."""
    if args.action in ("sync", "restore-station"):
        return True
    if args.action == "init":
        return False
    return not (args.url or os.environ.get(URL_ENV))


def run(settings: Any, args: argparse.Namespace) -> int:
    from kiosk.hub import admin

    url = getattr(args, "url", None) or os.environ.get(URL_ENV) or (settings.hub.url if settings is not None else "")
    if args.action == "sync":
        return _sync(settings)
    if args.action == "restore-station":
        return _restore(settings, args.station)
    if not url:
        raise ConfigError(_("where is the hub? give --url, set {URL_ENV}, or hub.url in the station's config", URL_ENV=URL_ENV))
    if args.action == "upgrade":
        print(_("hub schema at revision {upgrade}", upgrade=admin.upgrade(url)))
    elif args.action == "init":
        from kiosk.bootstrap import plan_from
        from kiosk.config import load_settings

        days = admin.init(url, plan_from(load_settings(args.plan)))
        print(_("the plan is loaded: {days} service day(s)", days=days) if days else _("the hub already has this plan: nothing changed"))
    elif args.action == "add-station":
        password = _password(args.password_file)
        role = admin.add_station(url, args.station_id, password)
        print(_("station {station_id} logs in as PostgreSQL role {role}: set its hub.url to "
                "postgresql+psycopg://{role}@HUB-HOST/DB?sslmode=verify-full", station_id=args.station_id, role=role))
    elif args.action == "import":
        report = admin.import_registrations(url, args.file)
        print(_("imported {imported}, unchanged {unchanged}, refused {count}",
                imported=report.imported, unchanged=report.unchanged, count=len(report.errors)))
        for line, reason in report.errors:
            print(_("  line {line}: {reason}", line=line, reason=reason))
        return 1 if report.errors and not report.imported and not report.unchanged else 0
    elif args.action == "status":
        return _status(url, args.day, args.json, settings)
    elif args.action == "conflicts":
        return _conflicts(url, args.json)
    return 0


def _password(path: Path | None) -> str:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KioskError(_("cannot read {path}: {strerror}", path=path, strerror=exc.strerror)) from None
    first = getpass.getpass(_("station's hub password (12+ characters): "))
    if getpass.getpass(_("again: ")) != first:
        raise KioskError(_("the two passwords differ: nothing changed"))
    return first


def _today(settings: Any) -> dt.date:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.venue.time_zone) if settings is not None else None
    return dt.datetime.now(zone).date()


def _status(url: str, day: dt.date | None, as_json: bool, settings: Any) -> int:
    from kiosk.hub import admin

    engine = admin.owner_engine(url)
    try:
        status = admin.venue_status(engine, day or _today(settings))
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(status.as_dict(), sort_keys=True))
    else:
        print("\n".join(status.lines()))
    return 0


def _conflicts(url: str, as_json: bool) -> int:
    from kiosk.hub import admin

    engine = admin.owner_engine(url)
    try:
        rows = admin.conflicts(engine)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps([{k: str(v) if v is not None else None for k, v in r._mapping.items()} for r in rows]))
        return 0
    if not rows:
        print(_("no conflicts"))
    for r in rows:
        print(_("#{id} {kind} {day}: {detail}; first at station {first_station} ({first_id}), then "
                "at station {second_station} ({second_id})", id=r.id, kind=r.kind, day=r.service_day or "", detail=r.detail,
                first_station=r.first_station, first_id=r.first_id, second_station=r.second_station, second_id=r.second_id))
    return 0


def _sync(settings: Any) -> int:
    from kiosk.bootstrap import build_station
    from kiosk.hub.worker import HubWorker

    station = build_station(settings)
    try:
        worker = HubWorker(station)
        try:
            report = worker.step()
        finally:
            worker.drainer.release()
            worker.server.close()
    finally:
        station.close()
    if not report.online:
        print(_("the hub is out of reach: {error}; this station holds {held} slot(s)", error=report.error, held=report.held))
        return 1
    sent = report.sent.sent if report.sent else 0
    print(_("hub: this station holds {held} slot(s), the venue has {venue_free} free; pulled "
            "{registrations} registration(s) and {doses} dose(s); sent {sent} record(s)",
            held=report.held, venue_free=report.venue_free, registrations=report.pulled[0], doses=report.pulled[1], sent=sent))
    return 0


def _restore(settings: Any, station_id: str) -> int:
    from kiosk.bootstrap import build_station
    from kiosk.hub.restore import restore_station

    station = build_station(settings)
    try:
        report = restore_station(station, station_id)
    finally:
        station.close()
    print(report.line())
    return 0
