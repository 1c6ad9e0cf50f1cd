"""What ``kiosk simulate`` writes: the day-by-day table, the checks, plots (matplotlib, SVG) and the same as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.i18n import _
from kiosk.simulate import Run

COLUMNS = (("day", "day"), ("cap", "cap"), ("arrived", "arrived"), ("admitted", "admitted"), ("postponed", "postp."),
           ("referred", "ref."), ("not_given", "not g."), ("turned_away", "away"), ("passes_issued", "passes"),
           ("passes_honoured", "honoured"), ("doses", "doses"), ("cards", "cards"), ("backlog_at_close", "backlog"),
           ("last_served", "last"))


def table(run: Run) -> str:
    """The day-by-day table as text (what the terminal and the README show)."""
    rows = [[str(getattr(d, key)) for key, _head in COLUMNS] for d in run.days]
    heads = [head for _key, head in COLUMNS]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(heads)]
    line = "  ".join(h.rjust(w) for h, w in zip(heads, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def summary(run: Run) -> str:
    """The table, then every check with its figures."""
    s = run.scenario
    lines = [_("{name}: {stations} station(s), {desks} screening desk(s), {days} day(s), stock {stock}", name=s.name,
               stations=s.stations, desks=s.desks, days=s.days, stock=s.stock), "", table(run), ""]
    for name, ok, detail in run.checks:
        lines.append(f"{'OK  ' if ok else 'FAIL'} {name:9} {detail}")
    lines.append(_("busiest hour: people waited {minutes} min for a desk (median); {faults} printer fault(s); {seconds} s",
                   minutes=run.busiest_wait_min, faults=run.printer_faults, seconds=round(run.wall_seconds, 1)))
    return "\n".join(lines)


def write(run: Run, folder: Path) -> list[Path]:
    """report.json, days.csv and the plots into ``folder``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.json", folder / "days.csv", folder / "summary.txt"]
    written[0].write_text(json.dumps(run.as_dict(), indent=2), encoding="utf-8")
    heads = [key for key, _head in COLUMNS]
    written[1].write_text("\n".join([",".join(heads)] + [",".join(str(getattr(d, k)) for k in heads) for d in run.days])
                          + "\n", encoding="utf-8")
    written[2].write_text(summary(run) + "\n", encoding="utf-8")
    try:
        written += plots(run, folder)
    except ImportError:
        print(_("plots need matplotlib: uv sync --extra simulate (the table and report.json are written)"))
    return written


def plots(run: Run, folder: Path) -> list[Path]:
    """cap vs used per day, queue and waiting time per hour, the PCare backlog over the week (SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "sentra", "font.size": 10})  # the same run draws the same file
    out = []
    days = [d.day[5:] for d in run.days]

    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.38
    xs = range(len(days))
    ax.bar([x - width / 2 for x in xs], [d.cap for d in run.days], width, label=_("cap"), color="#9db4c0")
    ax.bar([x + width / 2 for x in xs], [d.doses for d in run.days], width, label=_("doses given"), color="#2a6f97")
    ax.plot(list(xs), [d.arrived for d in run.days], "o-", color="#c44536", label=_("people who came"))
    ax.set_xticks(list(xs), days)
    ax.set_title(_("Cap and doses per day"))
    ax.legend(loc="lower right", fontsize=8)
    out.append(_save(fig, folder / "cap-vs-used.svg"))

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.2), sharex=True)
    for day in days:
        hours = [h for h in run.hourly if h["day"][5:] == day]
        top.plot([h["hour"] for h in hours], [h["queue"] for h in hours], marker="o", label=day)
        bottom.plot([h["hour"] for h in hours], [h["wait_p50_min"] for h in hours], marker="o", label=day)
    top.set_title(_("Waiting for a screening desk, at the end of each hour"))
    top.set_ylabel(_("people"))
    bottom.set_ylabel(_("median wait (min)"))
    bottom.set_xlabel(_("hour"))
    top.legend(fontsize=8, ncol=3)
    out.append(_save(fig, folder / "queue-and-wait.svg"))

    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.step(range(len(run.backlog)), [b for _t, b in run.backlog], where="post", color="#6a4c93")
    ticks = [i for i, (t, _b) in enumerate(run.backlog) if t.endswith("08:00")]
    ax.set_xticks(ticks, [run.backlog[i][0][5:10] for i in ticks])
    ax.set_title(_("Records waiting for PCare (outages: the climbs)"))
    ax.set_ylabel(_("records"))
    out.append(_save(fig, folder / "pcare-backlog.svg"))
    return out


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
