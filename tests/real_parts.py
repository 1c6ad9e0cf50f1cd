"""Real parts the tests use that ``uv sync`` cannot install: skipped with a reason naming the fix.

A clone on its own (no ../shared) or a machine without tmux, libzbar0, PostgreSQL or Chromium
still runs ``uv run pytest``: the tests that need what is missing skip and say what to install.
``.ci/run`` installs all of it and sets ``SENTRA_REQUIRE_REAL_PARTS=1``, which turns every such
skip into a failure, so CI never passes on a skipped real part.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

STRICT_ENV = "SENTRA_REQUIRE_REAL_PARTS"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def missing(what: str, how: str) -> None:
    """Skip this test because ``what`` is absent (fail instead under ``SENTRA_REQUIRE_REAL_PARTS``)."""
    reason = f"{what} is missing: {how}"
    if os.environ.get(STRICT_ENV):
        pytest.fail(f"{reason} ({STRICT_ENV} is set: every real part must be present)")
    pytest.skip(reason)


def need_command(name: str, package: str | None = None) -> str:
    """The path of a system command, or a skip saying which Debian package brings it."""
    found = shutil.which(name)
    if found is None:
        missing(f"the `{name}` command", f"apt-get install {package or name}")
    return found or ""


def need_shared(relative: str) -> Path:
    """A folder of ../shared (the corpus, the docs), present beside a clone of the project only."""
    path = SHARED / relative
    if not path.exists():
        missing(f"../shared/{relative}", f"clone the project beside its shared/ folder (looked in {path})")
    return path
