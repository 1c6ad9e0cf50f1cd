"""``kiosk simulate``: a venue's days replayed through the real stations, on a simulated clock.

Nothing here models what the station does: every check-in, screening, dose, card, pass, print job,
record sent and hub step is the real service on a real SQLite file per station and, with two or
more stations, a real PostgreSQL hub. What is simulated is the world around them: people arriving
(an hourly curve, a show-up rate, more than a day can serve), desks working at their pace, the
printer running out of paper, and the national server (PCare) down in given windows. Time is one
``FixedClock`` for the whole venue, moved from event to event, so a week runs in minutes.

The run ends with the checks a planner and an auditor ask for (``Checks``) and a report: a
day-by-day table, plots and the same as JSON (``kiosk/simulate_report.py``).

Modules: ``scenario`` (the TOML file), ``world`` (PCare, printers, people), ``venue`` (the stations and what
desks do), ``day`` (one day's events), ``run`` (the days, then the checks).
"""

from __future__ import annotations

from kiosk.simulate.run import Run, simulate
from kiosk.simulate.scenario import SCENARIOS, Scenario, load_scenario

__all__ = ["SCENARIOS", "Run", "Scenario", "load_scenario", "simulate"]
