"""``kiosk simulate SCENARIO [--report DIR] [--stations N,M] [--desks N,M]``: a venue's days through real stations."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.i18n import _


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("simulate", help=_("replay a venue's days through real stations on a simulated clock, then check "
                                          "and report (no config needed)"))
    p.add_argument("scenario", help=_("a scenario TOML file, or a bundled one: karawang-2021"))
    p.add_argument("--report", type=Path, help=_("write report.json, days.csv, summary.txt and the plots here"))
    p.add_argument("--stations", type=_counts, help=_("check-in stations; several (2,3,4) compare the waiting time"))
    p.add_argument("--desks", type=_counts, help=_("screening desks; several (4,6) compare the waiting time"))
    p.add_argument("--days", type=int, help=_("only the first N days of the scenario"))
    p.add_argument("--hub-url", help=_("the hub's owner URL to use (default: a scratch PostgreSQL started for the run)"))


def _counts(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r}: give whole numbers, e.g. 2,3,4", text=text)) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(_("{text!r}: give whole numbers, e.g. 2,3,4", text=text))
    return values


def run(args: argparse.Namespace) -> int:
    from kiosk import simulate_report
    from kiosk.simulate import Run, load_scenario, simulate

    scenario = load_scenario(args.scenario)
    if args.days and args.days < scenario.days:  # the first days only, with their share of the stock
        share = args.days / scenario.days
        scenario.days, scenario.stock = args.days, round(scenario.stock * share)
        scenario.arrivals, scenario.walkins = scenario.arrivals[:args.days], scenario.walkins[:args.days]
    variants = [(n, m) for n in (args.stations or [scenario.stations]) for m in (args.desks or [scenario.desks])]
    if args.hub_url and len(variants) > 1:
        raise KioskError(_("each variant needs a fresh hub: leave out --hub-url (a scratch PostgreSQL is started)"))
    cluster = None
    try:
        if any(n > 1 for n, _m in variants) and not args.hub_url:
            from kiosk.hub.scratch import PgCluster

            print(_("starting a scratch PostgreSQL for the venue hub…"), flush=True)
            cluster = PgCluster().start()
        results: list[Run] = []
        for stations, desks in variants:
            scenario.stations, scenario.desks = stations, desks
            hub_url = args.hub_url or (cluster.fresh_database() if cluster is not None and stations > 1 else None)
            if hub_url:
                from kiosk.hub import admin

                admin.upgrade(hub_url)
            with tempfile.TemporaryDirectory(prefix="sentra-sim-") as folder:
                result = simulate(scenario, Path(folder), hub_url)
                if args.report and len(results) == 0:
                    simulate_report.write(result, args.report)
            results.append(result)
            if len(variants) == 1:
                print(simulate_report.summary(result))
        if len(variants) > 1:
            print(_("stations  desks  busiest-hour wait (median, min)  checks"))
            for (stations, desks), r in zip(variants, results):
                print(f"{stations:8}  {desks:5}  {r.busiest_wait_min:31}  {'OK' if r.ok else 'FAIL'}")
        if args.report:
            print(_("report written to {folder}", folder=args.report))
        return 0 if all(r.ok for r in results) else 1
    finally:
        if cluster is not None:
            cluster.stop()
