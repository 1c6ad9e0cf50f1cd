"""The ``kiosk`` console command: the core's CLI with the Textual station as its UI."""

from __future__ import annotations

import sys

from kiosk.cli import main as core_main


def main() -> None:
    """Entry point of the ``kiosk`` command."""
    from devices.diagnostics import diag
    from screens.launch import launch

    sys.exit(core_main(launch=launch, devices={"diag": diag}))
