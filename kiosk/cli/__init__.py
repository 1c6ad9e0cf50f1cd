"""The ``kiosk`` command (and ``python -m kiosk``, the same): run the station, the demo, the admin subcommands.

Every command is declared here. The core has no UI and no device library of its own: running the
station and the device diagnostics are found through the ``sentra.kiosk`` entry points the package
declares (``launch`` in screens/launch.py, ``diag`` in devices/diagnostics.py), so the core imports
neither. Errors a person can fix print one line and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.config import CONFIG_ENV, Settings, effective_settings, load_settings
from kiosk.errors import ConfigError, KioskError
from kiosk.i18n import _, from_environment, set_default_language

PLUGIN_GROUP = "sentra.kiosk"
Launch = Callable[[Settings], int]
Handler = Callable[["Settings | None", argparse.Namespace], int]


def parser() -> argparse.ArgumentParser:
    """The command line: ``kiosk [--config F] [run|demo|config|db|import|card|pin|report|audit|sync|hub|diag]``."""
    p = argparse.ArgumentParser(prog="kiosk", description=_("Sentra check-in station"))
    p.add_argument("--config", help=_("TOML settings file (default: $KIOSK_CONFIG)"))
    sub = p.add_subparsers(dest="command")
    sub.add_parser("run", help=_("run the station (the default)"))
    diagnose = sub.add_parser("diag", help=_("diagnostics: every check with what to do (exit 1 when one fails)"))
    diagnose.add_argument("--json", action="store_true", help=_("one JSON list of {part, ok, detail, action}"))
    diag = diagnose.add_subparsers(dest="action")
    diag.add_parser("export", help=_("a support bundle: checks, masked config, audit verdict, sync status, recent log (zip)")) \
        .add_argument("path", type=Path)
    printer = diag.add_parser("printer", help=_("printer status and a test page"))
    printer.add_argument("--no-test-page", action="store_true", help=_("only read the status"))
    decode = diag.add_parser("decode", help=_("decode every image in a folder (or frame of a video)"))
    decode.add_argument("path", type=Path)
    decode.add_argument("--json", action="store_true", help=_("one JSON object per file, then a summary"))
    ocr = diag.add_parser("ocr", help=_("read the NIK off every e-KTP image in a folder (or frame of a video)"))
    ocr.add_argument("path", type=Path)
    ocr.add_argument("--json", action="store_true", help=_("one JSON object per file, then a summary"))
    served = sub.add_parser("serve", help=_("the station in a browser on this machine (chromium --kiosk), one session at a time"))
    served.add_argument("--host", default="127.0.0.1", help=_("a loopback address (default 127.0.0.1)"))
    served.add_argument("--port", type=int, default=8000, help=_("default 8000"))
    demo = sub.add_parser("demo", help=_("run on fake devices and a demo venue"))
    demo.add_argument("--cap", type=_count, help=_("today's cap, e.g. 3 to reach 'today is full' quickly"))
    demo.add_argument("--setup-only", action="store_true", help=_("prepare the demo venue and print its folder"))
    config = sub.add_parser("config", help=_("configuration")).add_subparsers(dest="action", required=True)
    check = config.add_parser("check", help=_("validate the config and print the effective settings"))
    check.add_argument("--quiet", action="store_true", help=_("only the verdict (for a unit's ExecStartPre)"))
    db = sub.add_parser("db", help=_("database")).add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help=_("apply migrations"))
    backup = db.add_parser("backup", help=_("consistent online copy of the station database"))
    backup.add_argument("path", type=Path)
    backups = sub.add_parser("backup", help=_("the daily backup")).add_subparsers(dest="action", required=True)
    backups.add_parser("run", help=_("the database and the venue key into a dated folder of backup.folder; keep backup.keep"))
    imp = sub.add_parser("import", help=_("import data")).add_subparsers(dest="action", required=True)
    imp.add_parser("registrations", help=_("registrations CSV")).add_argument("file", type=Path)
    card = sub.add_parser("card", help=_("cards")).add_subparsers(dest="action", required=True)
    card.add_parser("verify", help=_("verify a scanned card or pass")).add_argument("payload")
    pin = sub.add_parser("pin", help=_("PINs")).add_subparsers(dest="action", required=True)
    pin.add_parser("hash", help=_("hash a PIN for the config file")).add_argument("pin", nargs="?")
    person = pin.add_parser("set", help=_("give a named person their own PIN, or set the shared `staff` or `technician` PIN "
                                        "(prompts; written hashed into the config)"))
    person.add_argument("name", help=_('the person, as the audit will name them, e.g. "Rina"; `staff` or `technician`: the shared PIN'))
    person.add_argument("--role", choices=["staff", "technician"], help=_("what a person's PIN opens (required for a person)"))
    from kiosk.cli import sync as sync_commands

    sync_commands.add_parser(sub)
    from kiosk.cli import hub as hub_commands

    hub_commands.add_parser(sub)
    from kiosk.cli import simulate as simulate_command

    simulate_command.add_parser(sub)
    day = sub.add_parser("day", help=_("the service day")).add_subparsers(dest="action", required=True)
    close = day.add_parser("close", help=_("close a day: no-shows, lapsed holds, leftover carried, a summary slip"))
    close.add_argument("--day", type=_day, help=_("YYYY-MM-DD (default today)"))
    close.add_argument("--by", default="staff", help=_("who closes it (for the audit)"))
    close.add_argument("--force", action="store_true", help=_("close today although visits are in progress (they become no-shows)"))
    data = sub.add_parser("data", help=_("personal data")).add_subparsers(dest="action", required=True)
    purge = data.add_parser("purge", help=_("remove personal fields of people served before DATE whose records were delivered"))
    purge.add_argument("--before", type=_day, required=True, help=_("YYYY-MM-DD (and at least privacy.retention_days ago)"))
    purge.add_argument("--dry-run", action="store_true", help=_("say what would be purged, change nothing"))
    audit = sub.add_parser("audit", help=_("the audit chain")).add_subparsers(dest="action", required=True)
    audit.add_parser("verify", help=_("check every link of the chain; name the first broken one"))
    export = audit.add_parser("export", help=_("a day's audit rows (default today)"))
    export.add_argument("--day", type=_day, help=_("YYYY-MM-DD"))
    export.add_argument("--csv", action="store_true", help=_("CSV with a header row (default: one line per row)"))
    report = sub.add_parser("report", help=_("a day's numbers (default today)"))
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help=_("one JSON object"))
    shape.add_argument("--csv", action="store_true", help=_("a header row and the day's row (for a spreadsheet)"))
    report.add_argument("--day", type=_day, help=_("YYYY-MM-DD"))
    report.add_argument("--hourly", action="store_true", help=_("a row per hour: arrivals, doses, turned away, passes, cards"))
    return p


def run_main() -> None:
    """Entry point of the installed ``kiosk`` command.

    Nothing heavy is imported before the UI starts: the attendee screen must paint before
    SQLAlchemy, Alembic, OpenCV, zxing-cpp and python-escpos load (tests/unit/test_config.py guards it).
    """
    sys.exit(main())


def _day(text: str) -> dt.date:
    """A calendar day as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a day: use YYYY-MM-DD, e.g. 2021-08-05", text=text)) from None


def _count(text: str) -> int:
    """A number of people: 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a whole number", text=text)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("{value} is below 0: a day's cap is 0 or more people", value=value))
    return value


def main(argv: Sequence[str] | None = None, launch: Launch | None = None,
         devices: dict[str, Handler] | None = None) -> int:
    """Parse ``argv`` and run the subcommand; returns the exit status.

    ``launch`` runs the UI and ``devices`` handles device commands (``diag``): both are given by
    the installed ``kiosk`` command, because the core imports neither UI nor device libraries.
    """
    asked = from_environment()  # LANG=id_ID.UTF-8 or en_US.UTF-8 chooses; otherwise the station's language, once read
    set_default_language(asked or "en")
    args = parser().parse_args(argv)
    if asked is None:
        _follow_station_language(args)
    try:
        return _dispatch(args, launch or _plugged("launch"), devices or _devices())
    except ConfigError as exc:
        print(_("kiosk: {exc}", exc=exc), file=sys.stderr)
        return 2
    except KioskError as exc:
        print(_("kiosk: {exc}", exc=exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # `kiosk report | head`: the reader has had enough, which is no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _follow_station_language(args: argparse.Namespace) -> None:
    """Speak the station's ``language`` when the config can be read (a bad one is reported later, in English)."""
    if args.command in (None, "run", "serve", "demo", "simulate"):
        return  # the station's own screens set their language; loading twice would slow the first paint
    try:
        set_default_language(load_settings(args.config).language)
    except (KioskError, ValueError):
        pass


def _plugged(name: str) -> Any:
    """The installed package's ``sentra.kiosk`` entry point ``name`` (the UI or device commands), if any."""
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=PLUGIN_GROUP) if ep.name == name]
    return found[0].load() if found else None


def _devices() -> dict[str, Handler]:
    diag = _plugged("diag")
    return {"diag": diag} if diag is not None else {}


def _dispatch(args: argparse.Namespace, launch: Launch | None, devices: dict[str, Handler]) -> int:
    command = args.command or "run"
    if command == "pin":
        from kiosk.cli import pins

        return pins.pin_set(args) if args.action == "set" else pins.pin_hash(args.pin)
    if command == "demo":
        return _demo(args, launch)
    if command == "simulate":
        from kiosk.cli import simulate as simulate_command

        return simulate_command.run(args)
    if command == "diag" and args.action in ("decode", "ocr") and not (args.config or os.environ.get(CONFIG_ENV)):
        return devices["diag"](None, args) if "diag" in devices else _no_devices()  # reading images needs no venue
    if command == "hub":
        from kiosk.cli import hub as hub_commands

        return hub_commands.run(load_settings(args.config) if hub_commands.needs_settings(args) else None, args)
    settings = load_settings(args.config)
    if command in LOGGED:
        from kiosk import logs

        logs.setup(settings)
    handlers: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
        "config": _config_check, "db": _db, "import": _import, "card": _card_verify, "report": _report,
        "sync": _sync, "audit": _audit, "data": _data, "day": _day_close, "backup": _backup,
    }
    if command == "run":
        _refuse_unready(settings, args.config)
        return _launch(settings, launch)
    if command == "diag":
        return devices["diag"](settings, args) if "diag" in devices else _no_devices()
    if command == "serve":
        _refuse_unready(settings, args.config)
        served = _plugged("serve")
        if served is None:
            raise KioskError(_("kiosk serve needs the installed `kiosk` command"))
        return int(served(settings, args))
    return handlers[command](settings, args)


def _refuse_unready(settings: Settings, given: str | None) -> None:
    """A live station does not start on the example PINs, a fake device or a plan that ended (exit 2)."""
    from kiosk import readiness
    from kiosk.config import config_path

    found = readiness.problems(settings)
    if found:
        raise ConfigError(readiness.explain(settings, found, str(config_path(given))))


# Commands that change records or run for long log what they do; read-only ones (config check, report,
# audit verify, diag) do not, so a technician running one as root never leaves a root-owned log behind.
LOGGED = frozenset({"run", "serve", "sync", "import", "day", "data", "db", "backup"})


def _no_devices() -> int:
    raise KioskError(_("device diagnostics need the installed `kiosk` command"))


def _launch(settings: Settings, launch: Launch | None) -> int:
    if launch is None:
        raise KioskError(_("the station UI is not available here: run the `kiosk` command of the installed package"))
    return launch(settings)


def _demo(args: argparse.Namespace, launch: Launch | None) -> int:
    from kiosk import demo, logs
    from kiosk.bootstrap import build_station

    folder = demo.demo_dir(args.cap)
    settings = load_settings(demo.write_demo_config(folder, args.cap))
    logs.setup(settings)
    station = build_station(settings)
    try:
        report = station.registrations.import_csv(demo.demo_csv())
        with demo.demo_csv().open(encoding="utf-8") as handle:
            codes = [row["registration_code"] for row in csv.DictReader(handle)]
        demo.write_demo_qr_images(folder / "qr-codes", codes)
        (folder / "camera").mkdir(exist_ok=True)
    finally:
        station.close()
    print(_("demo venue in {folder} ({imported} registrations imported, {unchanged} already there)",
            folder=folder, imported=report.imported, unchanged=report.unchanged))
    print(_("staff PIN {DEMO_STAFF_PIN}, technician PIN {DEMO_TECHNICIAN_PIN}; show a QR to the "
            "fake camera: cp {folder}/qr-codes/REG-0001.png {folder}/camera/",
            DEMO_STAFF_PIN=demo.DEMO_STAFF_PIN, DEMO_TECHNICIAN_PIN=demo.DEMO_TECHNICIAN_PIN, folder=folder))
    return 0 if args.setup_only else _launch(settings, launch)


def _config_check(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk import readiness
    from kiosk.bootstrap import plan_from
    from kiosk.config import config_path

    plan = plan_from(settings)
    if not args.quiet:
        print(json.dumps(effective_settings(settings), indent=2, sort_keys=True))
    found = readiness.problems(settings, thorough=True)
    if found:
        raise ConfigError(readiness.explain(settings, found, str(config_path(args.config))))
    caps = plan.base_caps()
    trial = _(" (a trial station: fake devices and example PINs allowed)") if settings.station.trial else ""
    print(_("config OK: {count} service days, {min}-{max} people a day{trial}",
            count=len(caps), min=min(caps.values()), max=max(caps.values()), trial=trial), file=sys.stderr)
    return 0


def _db(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.storage import migrate
    from kiosk.storage.db import make_engine

    engine = make_engine(settings.database_url)
    if args.action == "upgrade":
        migrate.upgrade_or_explain(engine)
        print(_("database at revision {current_revision}", current_revision=migrate.current_revision(engine)))
        return 0
    if engine.dialect.name != "sqlite":
        raise KioskError(_("db backup copies a SQLite station database; for PostgreSQL use pg_dump"))
    from kiosk.services.backup import backup_sqlite

    backup_sqlite(Path(engine.url.database or ""), args.path)
    print(_("backup written to {path}", path=args.path))
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.services.backup import daily_backup

    print(_("backup written to {daily_backup}", daily_backup=daily_backup(settings)))
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.bootstrap import build_station

    station = build_station(settings)
    try:
        report = station.registrations.import_csv(args.file)
    finally:
        station.close()
    for line, reason in report.errors:
        print(f"{args.file}:{line}: {reason}")
    print(_("{imported} imported, {unchanged} unchanged, {count} refused",
            imported=report.imported, unchanged=report.unchanged, count=len(report.errors)))
    return 1 if report.errors else 0


def _card_verify(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.bootstrap import venue_keys
    from kiosk.credentials import Verdict, verify

    verdict, credential = verify(venue_keys(settings), args.payload)
    if credential is not None and verdict is Verdict.VALID:
        print(_("valid {kind} {credential_id} from {venue}, {day:%Y-%m-%d}",
                kind=credential.kind, credential_id=credential.credential_id, venue=credential.venue, day=credential.day))
    else:
        print(verdict.value)
    return 0 if verdict is Verdict.VALID else 1


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from kiosk.bootstrap import build_station

    station = build_station(settings)
    try:
        if args.hourly:
            return _print_rows([asdict(h) for h in station.desk.hourly(args.day)], args)
        numbers = asdict(station.desk.day_numbers(args.day))
    finally:
        station.close()
    if args.json:
        print(json.dumps(numbers, default=str, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(numbers), lineterminator="\n")
        writer.writeheader()
        writer.writerow(numbers)
    else:
        print("\n".join(f"{key:>16}: {value}" for key, value in numbers.items()))
    return 0


def _print_rows(rows: list[dict[str, Any]], args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(rows, default=str, indent=2))
        return 0
    if not rows:
        print(_("nothing happened on that day"))
        return 0
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    names = list(rows[0])
    print("  ".join(f"{n.replace('_', ' '):>12}" for n in names))
    for row in rows:
        print("  ".join(f"{row[n]:>12}" for n in names))
    return 0


def _day_close(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.bootstrap import build_station
    from kiosk.services.dayclose import close_day

    station = build_station(settings)
    try:
        day = args.day or station.ctx.clock.today()
        closed = close_day(station.ctx, day, args.by, args.force)
        if closed.already:
            print(_("{day} was closed already", day=day))
            return 0
        summary = next(j for j in station.printing.pending() if j.kind == "summary")
        print(_("{day} closed: {no_shows} no-show(s); the summary slip waits for the printer", day=day, no_shows=closed.no_shows))
        print(station.printing.slip_for(summary.id).text())
    finally:
        station.close()
    return 0


def _data(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.bootstrap import build_station
    from kiosk.services.outbox import audit
    from kiosk.services.purge import purge

    station = build_station(settings)
    try:
        with station.ctx.db.write() as session:
            report = purge(session, args.before, station.ctx.clock.today(), settings.privacy.retention_days)
            if args.dry_run:
                session.rollback()
            else:
                audit(session, "technician", "data.purge", None, f"{report.people} people before {report.cutoff}",
                      station.ctx.clock.now(), station.ctx.station_id)
    finally:
        station.close()
    verb = _("would purge") if args.dry_run else _("purged")
    print(_("{verb} the personal fields of {people} people served before {cutoff} ({records} "
            "delivered records emptied); {kept_unsent} kept because records about them still wait "
            "to be sent", verb=verb, people=report.people, cutoff=report.cutoff, records=report.records, kept_unsent=report.kept_unsent))
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from kiosk.audit import verify
    from kiosk.bootstrap import build_station
    from kiosk.storage.tables import AuditEntry

    station = build_station(settings)
    try:
        with station.ctx.db.read() as session:
            if args.action == "verify":
                verdict = verify(session)
                if verdict.ok:
                    print(_("audit chain intact: {rows} row(s)", rows=verdict.rows))
                    return 0
                print(_("audit chain broken at row {broken_at}: {reason}", broken_at=verdict.broken_at, reason=verdict.reason))
                return 1
            clock = station.ctx.clock
            day = args.day or clock.today()
            rows = [r for r in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
                    if clock.local(r.at).date() == day]
    finally:
        station.close()
    fields = ["seq", "at", "station_id", "actor", "action", "subject_id", "detail", "hash"]
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        for r in rows:
            writer.writerow([r.seq, clock.local(r.at).isoformat(), r.station_id, r.actor, r.action, r.subject_id or "",
                             r.detail, r.hash])
    else:
        for r in rows:
            what = " ".join(part for part in (r.action, str(r.subject_id or ""), r.detail) if part)
            print(f"{r.seq:>6} {clock.local(r.at):%H:%M:%S} {r.actor}: {what}")
    return 0


def _sync(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.cli import sync

    return sync.run(settings, args)
