"""`kiosk sync ...`: send once, run as a service, show status, list and resend refused records."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import threading
from typing import TYPE_CHECKING, Any

from kiosk.i18n import _
from kiosk.sync.port import DrainReport

if TYPE_CHECKING:  # the parser is built before the UI paints: nothing heavy at import
    from kiosk.bootstrap import Station
    from kiosk.config import Settings


def add_parser(sub: Any) -> None:
    sync = sub.add_parser("sync", help=_("send records to the central server")).add_subparsers(dest="action", required=True)
    sync.add_parser("once", help=_("send everything due now, then stop"))
    sync.add_parser("run", help=_("keep sending until stopped (SIGTERM/Ctrl-C)"))
    status = sync.add_parser("status", help=_("backlog, oldest waiting record, last success and last error"))
    status.add_argument("--json", action="store_true")
    sync.add_parser("attention", help=_("records the server refused, with its words"))
    again = sync.add_parser("resend", help=_("queue a refused record again (after fixing its cause)"))
    again.add_argument("record", help=_("the record id (or its first 8+ characters) from `kiosk sync attention`"))
    again.add_argument("--by", default="technician", help=_("who is resending (for the audit log)"))


def run(settings: Settings, args: argparse.Namespace) -> int:
    from kiosk.bootstrap import build_station

    station = build_station(settings)
    try:
        if args.action == "status":
            return _status(station, args.json)
        if args.action == "attention":
            return _attention(station)
        if args.action == "resend":
            row = station.sync.resend(args.record, args.by)
            print(_("record {id} ({topic}) queued again", id=row.id, topic=row.topic))
            return 0
        from kiosk.sync.factory import build_drainer

        drainer = build_drainer(settings, station.ctx.db, clock=station.ctx.clock)
        try:
            if args.action == "once":
                report = drainer.drain()
                drainer.release()
                print(describe_report(report))
                return 0 if not report.errors and not report.lease_holder else 1
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            print(_("sending to {url} as {holder}; stop with Ctrl-C", url=settings.sync.url, holder=drainer.holder), flush=True)
            tz = station.ctx.clock.tz
            drainer.run(stop, settings.sync.poll_seconds, on_report=lambda report: _print_activity(report, tz))
            return 0
        finally:
            drainer.server.close()
    finally:
        station.close()


def describe_report(report: DrainReport) -> str:
    if report.lease_holder:
        return _("another sender holds the lease ({lease_holder}); nothing sent", lease_holder=report.lease_holder)
    parts = [f"{report.sent} sent", _("{skipped} kept local",
                                      skipped=report.skipped), _("{needs_attention} need attention", needs_attention=report.needs_attention),
             f"{report.retrying} to retry"]
    text = ", ".join(parts)
    if report.paused_for:
        text += f"; paused {report.paused_for:.0f} s"
    if report.errors:
        text += _("; last error: {errors}", errors=report.errors[-1])
    return text


def _print_activity(report: DrainReport, tz: dt.tzinfo) -> None:
    if report.sent or report.needs_attention or report.retrying or report.lease_holder:
        print(f"{dt.datetime.now(tz):%H:%M:%S} {describe_report(report)}", flush=True)


def _status(station: Station, as_json: bool) -> int:
    status, now, tz = station.sync.status(), station.ctx.clock.now(), station.ctx.clock.tz
    if as_json:
        data = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in status.__dict__.items()}
        age = status.oldest_age(now)
        data["oldest_pending_age_seconds"] = age.total_seconds() if age is not None else None
        print(json.dumps(data, indent=2))
    else:
        from kiosk.services.sync_desk import status_lines  # the same words as the desk (sqlmodel: loaded only here)

        print("\n".join(status_lines(status, now, tz)))
    return 0


def _attention(station: Station) -> int:
    items = station.sync.attention()
    if not items:
        print(_("nothing needs attention"))
    for item in items:
        print(_("{row_id}  #{seq} {topic}  {person}  tries {attempts}\n    {error}",
                row_id=str(item.row_id)[:8], seq=item.seq, topic=item.topic, person=item.person, attempts=item.attempts, error=item.error))
    return 1 if items else 0


