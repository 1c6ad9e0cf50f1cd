"""The ``kiosk`` console command: the core's CLI with the Textual station as its UI."""

from __future__ import annotations

import argparse
import sys

from kiosk.cli import main as core_main
from kiosk.config import Settings


def _diag(settings: Settings, args: argparse.Namespace) -> int:
    from devices.diagnostics import diag  # device libraries load only for this command

    return diag(settings, args)


def main() -> None:
    """Entry point of the ``kiosk`` command.

    Nothing heavy is imported here: the attendee screen must paint before SQLAlchemy, Alembic,
    OpenCV, zxing-cpp and python-escpos load (tests/unit/test_config.py guards this).
    """
    from screens.launch import launch

    sys.exit(core_main(launch=launch, devices={"diag": _diag}))
