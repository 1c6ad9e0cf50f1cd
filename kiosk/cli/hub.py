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

URL_ENV = "SENTRA_HUB_URL"


def add_parser(sub: Any) -> None:
    hub = sub.add_parser("hub", help="the venue hub (PostgreSQL) shared by the venue's stations")
    actions = hub.add_subparsers(dest="action", required=True)

    def owner(name: str, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(name, help=help_)
        p.add_argument("--url", help=f"the hub as its owner role (default ${URL_ENV}); password from PGPASSWORD or ~/.pgpass")
        return p

    owner("upgrade", "create or update the hub's schema (as the owner role)")
    owner("init", "load the venue's dose plan once").add_argument("--plan", type=Path, required=True,
                                                                   help="a station config whose [quota] is the venue's plan")
    add = owner("add-station", "create a station's login role (prompts for its password)")
    add.add_argument("station_id")
    add.add_argument("--password-file", type=Path, help="read the password from this file instead of prompting")
    imp = owner("import", "import for the whole venue")
    imp.add_argument("what", choices=["registrations"])
    imp.add_argument("file", type=Path)
    for name, help_ in (("status", "the venue's numbers today and a line per station"),
                        ("conflicts", "people admitted or dosed at two stations while one was cut off")):
        p = owner(name, help_)
        p.add_argument("--json", action="store_true")
        if name == "status":
            p.add_argument("--day", type=dt.date.fromisoformat, help="YYYY-MM-DD (default today)")
    actions.add_parser("sync", help="this station: renew its lease, pull the venue's lists, send its records, once")
    restore = actions.add_parser("restore-station", help="rebuild this station's database from the hub after a lost disk")
    restore.add_argument("--station", required=True, help="the station's id (must be this config's station.id)")


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
        raise ConfigError(f"where is the hub? give --url, set {URL_ENV}, or hub.url in the station's config")
    if args.action == "upgrade":
        print(f"hub schema at revision {admin.upgrade(url)}")
    elif args.action == "init":
        from kiosk.bootstrap import plan_from
        from kiosk.config import load_settings

        days = admin.init(url, plan_from(load_settings(args.plan)))
        print(f"the plan is loaded: {days} service day(s)" if days else "the hub already has this plan: nothing changed")
    elif args.action == "add-station":
        password = _password(args.password_file)
        role = admin.add_station(url, args.station_id, password)
        print(f"station {args.station_id} logs in as PostgreSQL role {role}: set its hub.url to "
              f"postgresql+psycopg://{role}@HUB-HOST/DB?sslmode=verify-full")
    elif args.action == "import":
        report = admin.import_registrations(url, args.file)
        print(f"imported {report.imported}, unchanged {report.unchanged}, refused {len(report.errors)}")
        for line, reason in report.errors:
            print(f"  line {line}: {reason}")
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
            raise KioskError(f"cannot read {path}: {exc.strerror}") from None
    first = getpass.getpass("station's hub password (12+ characters): ")
    if getpass.getpass("again: ") != first:
        raise KioskError("the two passwords differ: nothing changed")
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
        print("no conflicts")
    for r in rows:
        print(f"#{r.id} {r.kind} {r.service_day or ''}: {r.detail}; first at station {r.first_station} ({r.first_id}), "
              f"then at station {r.second_station} ({r.second_id})")
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
        print(f"the hub is out of reach: {report.error}; this station holds {report.held} slot(s)")
        return 1
    sent = report.sent.sent if report.sent else 0
    print(f"hub: this station holds {report.held} slot(s), the venue has {report.venue_free} free; pulled "
          f"{report.pulled[0]} registration(s) and {report.pulled[1]} dose(s); sent {sent} record(s)")
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
