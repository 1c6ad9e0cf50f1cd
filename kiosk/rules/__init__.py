"""Versioned rule data (screening forms, dose intervals), shipped as TOML beside this file."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def load_rule_file(name: str) -> dict[str, Any]:
    """Read one of the packaged rule files by its file name."""
    return tomllib.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
