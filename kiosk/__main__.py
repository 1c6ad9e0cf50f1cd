"""``python -m kiosk``: the admin subcommands without the UI."""

import sys

from kiosk.cli import main

sys.exit(main())
